/** Pieces the benchmarks and long runs share: the built server as its own process, a free port, the dev-set texts. */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * Starts the built server (dist/src/main.js) as its own process with `env` (PORT=0 picks a free port: the URL is read
 * from the start log) and node `flags`; resolves once it listens. `out()` is everything it printed so far.
 */
export async function startBuiltServer(env: NodeJS.ProcessEnv, flags: string[] = []): Promise<{ proc: ChildProcess; url: string; out: () => string }> {
  const proc = spawn(process.execPath, [...flags, join(__dirname, '..', 'src', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 240; i++) {
    const m = /"port":(\d+)/.exec(out);
    if (m) return { proc, url: `http://127.0.0.1:${m[1]}`, out: () => out };
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  proc.kill('SIGKILL');
  throw new Error(`server did not start: ${out.slice(-2000)}`);
}

/** The dev set's ticket texts (shared/data beside the checkout or beside any folder above it), or null when absent. */
export function devTexts(): { file: string; texts: string[] } | null {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const f = join(dir, '..', 'shared', 'data', 'tickets-dev.ndjson');
    if (existsSync(f)) {
      const texts = readFileSync(f, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { content: string }).content);
      return { file: f, texts };
    }
    if (dirname(dir) === dir) return null;
  }
}

/** Texts used when the dev set is absent (a user's clone has no ../shared). */
export const BUILT_IN_TEXTS = [
  '家中暖气不热，室内温度只有15度，联系供暖单位多次未解决',
  '楼下烧烤店油烟很大，没有安装油烟净化设备',
  '共享单车乱停乱放，堵塞地铁口',
  '电动自行车在楼道里充电，担心起火',
  '孩子幼升小派位结果不合理',
  '物业公司服务差，楼道卫生长期无人打扫',
];

const BENCH_ADMIN = { username: 'admin', password: 'bench-admin-pass' };

/** The environment of a bench server: `databaseUrl`, no demo data, no jobs, no Redis or SMTP, a known admin; `extra` on top. */
export function benchServerEnv(databaseUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: '0',
    DATABASE_URL: databaseUrl,
    NODE_ENV: 'development',
    DEMO_DATA: 'false',
    JOBS_ENABLED: 'false',
    REDIS_URL: '',
    SMTP_URL: '',
    ADMIN_USERNAME: BENCH_ADMIN.username,
    ADMIN_PASSWORD: BENCH_ADMIN.password,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
    ...extra,
  };
}

/** An admin token from a server started with benchServerEnv. */
export async function benchLogin(url: string): Promise<string> {
  const r = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BENCH_ADMIN) });
  if (r.status !== 200) throw new Error(`login: HTTP ${r.status}`);
  return ((await r.json()) as { accessToken: string }).accessToken;
}
