import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * The server from source (`src/main.ts` through ts-node) as its own process on a SQLite file in `dir`, for tests that
 * send it signals. Resolves once it logs that it listens (or after 60 s; the test then fails on `port`).
 */
export async function spawnServer(dir: string, env: Record<string, string>): Promise<{ proc: ChildProcess; out: () => string; port: number }> {
  let out = '';
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: join(__dirname, '..', '..'),
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: '0',
      DATABASE_URL: `sqlite:${join(dir, 'hub.sqlite')}`,
      DEMO_DATA: 'false',
      JOBS_ENABLED: 'false',
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 'admin-pass-123',
      MAIL_DIR: join(dir, 'mail'),
      REDIS_URL: '',
      SMTP_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 120 && !/listening on/.test(out); i++) await new Promise((r) => setTimeout(r, 500));
  // The log names the port it really took (PORT=0 picks a free one).
  return { proc, out: () => out, port: Number(/"port":(\d+)/.exec(out)?.[1]) };
}
