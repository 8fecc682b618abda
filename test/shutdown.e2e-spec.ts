import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer } from './utils/server-process';

/** SIGTERM while requests are in flight: every one is answered, and the process exits by itself in time. */
describe('graceful shutdown', () => {
  let dir: string;
  let proc: ChildProcess;
  let out: () => string;
  let port = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-shutdown-'));
    ({ proc, out, port } = await spawnServer(dir, { SHUTDOWN_TIMEOUT_MS: '20000' }));
  }, 90_000);

  afterAll(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every in-flight request and exits cleanly in time', async () => {
    expect(out()).toMatch(/listening on/);
    expect(port).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-pass-123' }) });
    const { accessToken } = (await login.json()) as { accessToken: string };

    // Ten imports whose bodies arrive slowly: they are surely in flight when the stop comes.
    const slowImport = (k: number) =>
      new Promise<string>((resolve) => {
        const req = http.request(`${base}/api/tickets/import`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${accessToken}` } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(`${res.statusCode} ${(JSON.parse(body) as { inserted?: number }).inserted}`));
        });
        req.on('error', (e) => resolve(`error: ${e.message}`));
        let i = 0;
        const line = () =>
          JSON.stringify({ ticketNo: `SD${k}-${i}`, receivedAt: '2026-11-20T10:00:00+08:00', channel: 'phone', callerPhone: '13800001111', callerName: '测试', content: '路灯不亮，晚上出行不便，请尽快维修。' }) + '\n';
        const tick = setInterval(() => {
          req.write(line());
          if (++i === 5) {
            clearInterval(tick);
            req.end();
          }
        }, 300);
      });
    const imports = Array.from({ length: 10 }, (_, k) => slowImport(k));
    await new Promise((r) => setTimeout(r, 700));
    const exited = new Promise<string>((resolve) => proc.once('exit', (code, signal) => resolve(code === null ? `signal ${signal}` : `code ${code}`)));
    const t0 = Date.now();
    proc.kill('SIGTERM');
    expect(await Promise.all(imports)).toEqual(Array.from({ length: 10 }, () => '200 5'));
    // Nest closes everything, then re-raises the signal: a clean exit is "code 0" or "signal SIGTERM", never code 1 (forced).
    expect(['code 0', 'signal SIGTERM']).toContain(await exited);
    expect(out()).not.toMatch(/still closing after/);
    expect(Date.now() - t0).toBeLessThan(20000);
    // After the stop, nothing listens any more.
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });
});
