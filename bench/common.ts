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
