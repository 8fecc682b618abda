import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** SIGTERM while requests are in flight: every one is answered, and the process exits by itself in time. */
describe('graceful shutdown', () => {
  let dir: string;
  let proc: ChildProcess;
  let out = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-shutdown-'));
    proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: join(__dirname, '..'),
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: '0',
        DATABASE_URL: `sqlite:${join(dir, 'hub.sqlite')}`,
        DEMO_DATA: 'false',
        JOBS_ENABLED: 'false',
        ADMIN_USERNAME: 'admin',
        ADMIN_PASSWORD: 'admin-pass-123',
        SHUTDOWN_TIMEOUT_MS: '20000',
        MAIL_DIR: join(dir, 'mail'),
        REDIS_URL: '',
        SMTP_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 120 && !/listening on/.test(out); i++) await new Promise((r) => setTimeout(r, 500));
  }, 90_000);

  afterAll(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every in-flight request and exits cleanly in time', async () => {
    expect(out).toMatch(/listening on/);
    // The log names the port it really took (PORT=0 picks a free one).
    const port = Number(/"port":(\d+)/.exec(out)?.[1] ?? /localhost:(\d+)/.exec(out)?.[1]);
    expect(port).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${port}`;
    const requests = Array.from({ length: 20 }, (_, i) =>
      fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ username: 'admin', password: i % 2 ? 'admin-pass-123' : 'wrong-password' }),
      }).then((r) => r.status, (e: Error) => `error: ${e.message}`),
    );
    // Let the server accept them all (each login hashes with bcrypt, so they queue up), then ask it to stop.
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<string>((resolve) => proc.once('exit', (code, signal) => resolve(code === null ? `signal ${signal}` : `code ${code}`)));
    const t0 = Date.now();
    proc.kill('SIGTERM');
    const statuses = await Promise.all(requests);
    expect(statuses.filter((s) => ![200, 401, 429].includes(s as number))).toEqual([]);
    // Nest closes everything, then re-raises the signal: a clean exit is "code 0" or "signal SIGTERM", never code 1 (forced).
    expect(['code 0', 'signal SIGTERM']).toContain(await exited);
    expect(out).not.toMatch(/still closing after/);
    expect(Date.now() - t0).toBeLessThan(20000);
    // After the stop, nothing listens any more.
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });
});
