/**
 * Live Q&A fan-out benchmark (`npm run bench:live`).
 *
 * The main process boots the built app (SQLite temp file, no Redis) with one live session and 100 approved questions,
 * and, in the same run, a bare socket.io server (same transport options: websocket, no per-message deflate) that
 * broadcasts the same payload. A child process holds the N viewer clients plus the answering client, so the delay from
 * `question:answer` (emit) to each viewer's `question:answered` is measured on one clock. Env: BENCH_VIEWERS (5000),
 * BENCH_ANSWERS (100). Prints a JSON summary and a Markdown table for docs/BENCHMARKS.md.
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const N = Number(process.env.BENCH_VIEWERS) || 5000;
const ANSWERS = Number(process.env.BENCH_ANSWERS) || 100;
const BATCH = 250;

type Msg =
  | { type: 'connect'; url: string; kind: 'hub' | 'bare'; sessionId: number; token?: string; questionIds: number[] }
  | { type: 'connected' }
  | { type: 'run' }
  | { type: 'result'; latencies: number[]; deliveries: number; elapsedMs: number; missing: number }
  | { type: 'close' };

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// ───────────────────────────── client worker ─────────────────────────────
async function clientWorker(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { io } = require('socket.io-client') as typeof import('socket.io-client');
  type S = ReturnType<typeof io>;
  let viewers: S[] = [];
  let answerer: S | undefined;
  let cfg: Extract<Msg, { type: 'connect' }> | undefined;
  const send = (m: Msg) => process.send!(m);
  const open = (url: string, auth: Record<string, unknown>) =>
    new Promise<S>((resolve, reject) => {
      const s = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 });
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  const joinAck = (s: S, kind: 'hub' | 'bare', sessionId: number) =>
    kind === 'hub' ? s.timeout(60_000).emitWithAck('session:join', { sessionId }) : s.timeout(60_000).emitWithAck('join', {});

  process.on('message', async (m: Msg) => {
    if (m.type === 'connect') {
      cfg = m;
      for (let i = 0; i < N; i += BATCH) {
        const batch = await Promise.all(Array.from({ length: Math.min(BATCH, N - i) }, (_, j) => open(m.url, { viewerKey: `bench-${m.kind}-${i + j}-viewer` })));
        await Promise.all(batch.map((s) => joinAck(s, m.kind, m.sessionId)));
        viewers.push(...batch);
      }
      answerer = await open(m.url, m.token ? { token: m.token } : { viewerKey: 'bench-answerer' });
      send({ type: 'connected' });
    } else if (m.type === 'run' && cfg && answerer) {
      const latencies: number[] = [];
      let deliveries = 0;
      let missing = 0;
      const startAll = performance.now();
      for (let k = 0; k < ANSWERS; k++) {
        const qid = cfg.questionIds[k % cfg.questionIds.length];
        let got = 0;
        let t0 = 0;
        const done = new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            missing += viewers.length - got;
            resolve();
          }, 30_000);
          for (const v of viewers) {
            v.once('question:answered', (p: { questionId: number }) => {
              latencies.push(performance.now() - t0);
              deliveries++;
              if (++got === viewers.length) {
                clearTimeout(timer);
                resolve();
              }
              void p;
            });
          }
        });
        const payload = { questionId: qid, text: `第${k + 1}个回答：供暖问题已督办，相关单位48小时内上门处理。`, onAir: k % 2 === 0 };
        t0 = performance.now();
        answerer.emit(cfg.kind === 'hub' ? 'question:answer' : 'answer', payload, () => undefined);
        await done;
      }
      send({ type: 'result', latencies, deliveries, elapsedMs: performance.now() - startAll, missing });
    } else if (m.type === 'close') {
      for (const v of viewers) v.close();
      answerer?.close();
      viewers = [];
      setTimeout(() => process.exit(0), 200);
    }
  });
}

// ───────────────────────────── main ─────────────────────────────
function memNow(): { heap: number; rss: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

async function runClients(url: string, kind: 'hub' | 'bare', sessionId: number, questionIds: number[], token: string | undefined, before: () => { heap: number; rss: number }) {
  const child = fork(__filename, ['--clients'], { stdio: 'inherit' });
  const wait = <T extends Msg['type']>(type: T) =>
    new Promise<Extract<Msg, { type: T }>>((resolve, reject) => {
      const h = (m: Msg) => {
        if (m.type === type) {
          child.off('message', h);
          resolve(m as Extract<Msg, { type: T }>);
        }
      };
      child.on('message', h);
      child.once('exit', (code) => reject(new Error(`client worker exited (${code})`)));
    });
  const m0 = before();
  const tConn = performance.now();
  child.send({ type: 'connect', url, kind, sessionId, token, questionIds } satisfies Msg);
  await wait('connected');
  const connectMs = performance.now() - tConn;
  await new Promise((r) => setTimeout(r, 1500));
  const m1 = memNow();
  child.send({ type: 'run' } satisfies Msg);
  const r = await wait('result');
  child.send({ type: 'close' } satisfies Msg);
  await new Promise((r2) => child.once('exit', r2));
  const sorted = r.latencies.sort((a, b) => a - b);
  return {
    kind,
    viewers: N,
    answers: ANSWERS,
    connectSeconds: +(connectMs / 1000).toFixed(1),
    p50Ms: +pct(sorted, 50).toFixed(1),
    p99Ms: +pct(sorted, 99).toFixed(1),
    maxMs: +(sorted[sorted.length - 1] ?? NaN).toFixed(1),
    deliveriesPerSecond: Math.round(r.deliveries / (r.elapsedMs / 1000)),
    deliveries: r.deliveries,
    missing: r.missing,
    heapPerViewerKB: +((m1.heap - m0.heap) / N / 1024).toFixed(1),
    rssPerViewerKB: +((m1.rss - m0.rss) / N / 1024).toFixed(1),
  };
}

async function main(): Promise<void> {
  setFlagsFromString('--expose-gc');
  (globalThis as { gc?: () => void }).gc = runInNewContext('gc') as () => void;
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-live-'));
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${join(dir, 'hub.sqlite')}`,
    REDIS_URL: '',
    DEMO_DATA: 'false',
    JOBS_ENABLED: 'false',
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0',
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'bench-admin-123',
    MAIL_DIR: join(dir, 'mail'),
  });
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NestFactory } = require('@nestjs/core') as typeof import('@nestjs/core');
  const { AppModule } = require('../src/app.module') as typeof import('../src/app.module');
  const { configureApp } = require('../src/app.setup') as typeof import('../src/app.setup');
  const { DataSource } = require('typeorm') as typeof import('typeorm');
  const { UsersService } = require('../src/users/users.service') as typeof import('../src/users/users.service');
  const { AuthService } = require('../src/auth/auth.service') as typeof import('../src/auth/auth.service');
  const { Leader } = require('../src/livestream/leader.entity') as typeof import('../src/livestream/leader.entity');
  const { LivestreamSession } = require('../src/livestream/livestream-session.entity') as typeof import('../src/livestream/livestream-session.entity');
  const { QaQuestion } = require('../src/qa/question.entity') as typeof import('../src/qa/question.entity');
  const { Server } = require('socket.io') as typeof import('socket.io');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const app = await NestFactory.create(AppModule, { logger: ['error', 'fatal'] });
  configureApp(app as never);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  const ds = app.get(DataSource);
  const user = await app.get(UsersService).ensure({ username: 'bench-leader', password: 'password-123', role: 'leader', displayName: '测试区长' });
  const leader = await ds.getRepository(Leader).save({ name: '测试区长', title: '区长', departmentCode: 'city', email: 'l@example.org', userId: user.id });
  const session = await ds.getRepository(LivestreamSession).save({
    title: '基准测试直播',
    description: null,
    departmentCode: 'city',
    leaderIds: [leader.id],
    topicKeys: [],
    startsAt: new Date(),
    endsAt: new Date(Date.now() + 3600_000),
    planned: false,
    status: 'live',
    streamUrl: null,
  });
  const questionIds: number[] = [];
  for (let i = 0; i < ANSWERS; i++) {
    const q = await ds.getRepository(QaQuestion).save({ sessionId: session.id, text: `基准问题${i + 1}：小区供暖不热怎么办？`, nickname: null, viewerKey: `bench-asker-${i}`, status: 'approved', createdAt: new Date() });
    questionIds.push(q.id);
  }
  const token = (await app.get(AuthService).login('bench-leader', 'password-123', '127.0.0.1')).accessToken;
  process.stdout.write(`live fan-out: ${N} viewers, ${ANSWERS} answers, hub on :${port}\n`);
  const hub = await runClients(`http://127.0.0.1:${port}/live`, 'hub', session.id, questionIds, token, memNow);
  process.stdout.write(`${JSON.stringify(hub)}\n`);
  await app.close();

  // the bare server: same transport options, one room, broadcast of the same payload shape
  const http = createServer();
  const io = new Server(http, { maxHttpBufferSize: 8 * 1024, perMessageDeflate: false, httpCompression: false, transports: ['websocket'] });
  io.on('connection', (s) => {
    s.on('join', (_: unknown, cb: (r: unknown) => void) => {
      void s.join('room');
      cb({ ok: true });
    });
    s.on('answer', (p: { questionId: number; text: string; onAir: boolean }, cb: (r: unknown) => void) => {
      const answer = { text: p.text, leaderName: '测试区长', answeredAt: new Date().toISOString(), onAir: !!p.onAir };
      io.to('room').emit('question:answered', { questionId: p.questionId, answer });
      cb({ ok: true, questionId: p.questionId, answer });
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const barePort = (http.address() as { port: number }).port;
  const bare = await runClients(`http://127.0.0.1:${barePort}`, 'bare', 0, questionIds, undefined, memNow);
  process.stdout.write(`${JSON.stringify(bare)}\n`);
  io.close();
  http.close();
  rmSync(dir, { recursive: true, force: true });

  const ratio = +(hub.p99Ms / bare.p99Ms).toFixed(2);
  const row = (r: typeof hub) =>
    `| ${r.kind === 'hub' ? 'hub `/live`' : 'bare socket.io'} | ${r.viewers} | ${r.answers} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.deliveriesPerSecond} | ${r.missing} | ${r.heapPerViewerKB} | ${r.rssPerViewerKB} |`;
  process.stdout.write(
    [
      '',
      '| server | viewers | answers | p50 ms | p99 ms | max ms | deliveries/s | missing | heap KB/viewer | RSS KB/viewer |',
      '|---|---|---|---|---|---|---|---|---|---|',
      row(hub),
      row(bare),
      '',
      `p99 ratio hub / bare = ${ratio} (target ≤ 1.5)`,
      '',
    ].join('\n'),
  );
  process.stdout.write(`${JSON.stringify({ hub, bare, p99Ratio: ratio })}\n`);
  process.exit(0);
}

if (process.argv.includes('--clients')) void clientWorker();
else
  main().catch((e) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
