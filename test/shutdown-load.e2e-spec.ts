import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer } from './utils/server-process';

/**
 * SIGTERM under a steady 200 requests/s (staff list reads and public health checks, each on its own connection):
 * the server drains (keeps serving SHUTDOWN_DRAIN_MS with /health/ready at 503), then closes: every request sent
 * before the signal is answered 200, none gets a 5xx; what still comes after the close is refused at connect (or reset
 * while queued in the kernel, never a half answer); the process exits cleanly within SHUTDOWN_TIMEOUT_MS.
 */
describe('graceful shutdown under 200 requests/s', () => {
  const TIMEOUT_MS = 10_000;
  const DRAIN_MS = 1000;
  let dir: string;
  let proc: ChildProcess;
  let out: () => string;
  let port = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-shutdown-load-'));
    ({ proc, out, port } = await spawnServer(dir, { SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS), SHUTDOWN_DRAIN_MS: String(DRAIN_MS) }));
  }, 90_000);

  afterAll(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('drains, answers every request sent before the signal, refuses new ones after the close, exits cleanly in time', async () => {
    expect(port).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-pass-123' }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    // something to list
    for (let i = 0; i < 20; i++) {
      const r = await fetch(`${base}/api/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ channel: 'phone', callerPhone: `1380000${String(1000 + i)}`, callerName: '测试', content: `小区${i}号楼路灯不亮，晚上出行不便，请尽快维修。` }),
      });
      expect(r.status).toBe(201);
    }

    interface Outcome {
      sentAt: number;
      status?: number;
      error?: string;
    }
    const outcomes: Outcome[] = [];
    const fire = (path: string, auth: boolean) => {
      const o: Outcome = { sentAt: Date.now() };
      outcomes.push(o);
      return new Promise<void>((resolve) => {
        const req = http.request(`${base}${path}`, { agent: false, headers: auth ? { authorization: `Bearer ${accessToken}` } : {} }, (res) => {
          res.resume();
          res.on('end', () => {
            o.status = res.statusCode;
            resolve();
          });
          res.on('error', (e) => {
            o.error = (e as NodeJS.ErrnoException).code ?? e.message;
            resolve();
          });
        });
        req.on('error', (e) => {
          o.error = (e as NodeJS.ErrnoException).code ?? e.message;
          resolve();
        });
        req.end();
      });
    };

    const pending: Array<Promise<void>> = [];
    let outstanding = 0;
    const exited = new Promise<string>((resolve) => proc.once('exit', (code, signal) => resolve(code === null ? `signal ${signal}` : `code ${code}`)));
    let stoppedAt = 0;
    let readyWhileDraining: Promise<number> | undefined;
    // 200 requests/s for 2.5 s, SIGTERM after the first second (the listener closes DRAIN_MS later, while the load goes on).
    const started = Date.now();
    for (let k = 0; Date.now() - started < 2500; k++) {
      const due = started + k * 5;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // like real clients, at most 50 requests open at once (a lagging test process must not burst hundreds of connects)
      while (outstanding >= 50) await new Promise((r) => setTimeout(r, 1));
      outstanding++;
      pending.push((k % 4 === 3 ? fire('/health', false) : fire('/api/tickets?pageSize=20', true)).finally(() => outstanding--));
      if (!stoppedAt && Date.now() - started >= 1000) {
        stoppedAt = Date.now();
        proc.kill('SIGTERM');
        readyWhileDraining = new Promise((r) => setTimeout(r, 50)).then(() => fetch(`${base}/health/ready`).then((x) => x.status));
      }
    }
    await Promise.all(pending);
    const how = await exited;
    expect(await readyWhileDraining).toBe(503);
    const before = outcomes.filter((o) => o.sentAt < stoppedAt);
    const answered = outcomes.filter((o) => o.status !== undefined);
    // the load was real (200/s aimed at; fewer on a loaded machine, the figure is printed), all answered 200
    expect(before.length).toBeGreaterThan(50);
    expect(before.filter((o) => o.status !== 200)).toEqual([]);
    // no 5xx at all; what was not answered was sent after the signal and refused by the closed listener (a
    // connection still in the kernel's queue when it closes is reset), never a half answer
    expect(answered.filter((o) => o.status! >= 500)).toEqual([]);
    const unanswered = outcomes.filter((o) => o.status === undefined);
    expect(unanswered.filter((o) => o.sentAt < stoppedAt)).toEqual([]);
    // the drain served on: most requests sent during it were answered (the ones still queued in the kernel when the
    // listener closes are reset; how many depends on the machine's load, so only the bulk is asserted)
    const duringDrain = outcomes.filter((o) => o.sentAt >= stoppedAt && o.sentAt < stoppedAt + DRAIN_MS / 2);
    expect(duringDrain.filter((o) => o.status === 200).length).toBeGreaterThan(duringDrain.length / 2);
    expect([...new Set(unanswered.map((o) => o.error))].filter((e) => e !== 'ECONNREFUSED' && e !== 'ECONNRESET')).toEqual([]);
    expect(['code 0', 'signal SIGTERM']).toContain(how);
    expect(out()).not.toMatch(/still closing after/);
    expect(out()).not.toMatch(/13800001\d{3}/);
    process.stdout.write(
      `\n[shutdown-load] ${outcomes.length} requests in 2.5 s; ${before.length} sent before the stop, all 200; ` +
        `after the signal: ${answered.length - before.length} answered, ${unanswered.length} refused (${[...new Set(unanswered.map((o) => o.error))].map((e) => `${e} ×${unanswered.filter((o) => o.error === e).length}, sent ${Math.min(...unanswered.filter((o) => o.error === e).map((o) => o.sentAt - stoppedAt))}…${Math.max(...unanswered.filter((o) => o.error === e).map((o) => o.sentAt - stoppedAt))} ms from the stop`).join('; ') || '-'}); exit: ${how}\n`,
    );
  });
});
