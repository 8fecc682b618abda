/**
 * Long fault run (`npm run faults`): the built server (dist/src/main.js, its own process) on a private MariaDB that this
 * script starts itself (mariadb-install-db + mariadbd on a free port, datadir in a temp dir), so the database can
 * really be killed. While a FAULTS_ROWS (default 100,000) ticket import is streaming and a live Q&A is going on
 * (2 viewers, a moderator, a leader), mariadbd gets SIGKILL and stays down FAULTS_DOWN_S (default 60) seconds;
 * during the outage a question and an answer are sent every 2 s. Then mariadbd is started again on the same datadir
 * (InnoDB crash recovery), and the script prints: time to readiness 503, time to ready again after the return, rows
 * before/after re-running the same import, acks (errors, missing), viewer disconnects, server crashes.
 * Needs mariadbd and mariadb-install-db on PATH (or MARIADBD / MARIADB_INSTALL_DB); nothing else is touched.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, createReadStream, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { io, Socket } from 'socket.io-client';
import { freePort, startBuiltServer } from './common';

const ROWS = Number(process.env.FAULTS_ROWS) || 100_000;
const DOWN_MS = (Number(process.env.FAULTS_DOWN_S) || 60) * 1000;
const MARIADBD = process.env.MARIADBD || 'mariadbd';
const INSTALL_DB = process.env.MARIADB_INSTALL_DB || 'mariadb-install-db';
const BATCH = 1000;
const ADMIN = { username: 'admin', password: 'faults-admin-pass' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => process.stdout.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

/** A private mariadbd: own datadir, port and socket; no grant tables (nothing but this script can reach it). */
class PrivateMariaDb {
  proc?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'hub-faults-db-'));
  port = 0;
  private readonly asRoot = userInfo().uid === 0;

  async install(): Promise<void> {
    this.port = await freePort();
    await promisify(execFile)(INSTALL_DB, [
      '--no-defaults',
      `--datadir=${join(this.dir, 'data')}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...(this.asRoot ? ['--user=root'] : []),
    ]);
  }

  url(db = ''): string {
    return `mysql://root@127.0.0.1:${this.port}/${db}`;
  }

  /** Starts mariadbd and resolves once it answers; returns the ms it took. */
  async start(): Promise<number> {
    const t0 = Date.now();
    this.proc = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${join(this.dir, 'data')}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(this.dir, 'mysqld.sock')}`,
        `--pid-file=${join(this.dir, 'mysqld.pid')}`,
        '--skip-grant-tables',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=128M',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
        ...(this.asRoot ? ['--user=root'] : []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    this.proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    for (;;) {
      if (this.proc.exitCode !== null) throw new Error(`mariadbd exited: ${err}`);
      try {
        const c = await createConnection({ uri: this.url(), connectTimeout: 1000 });
        await c.end();
        return Date.now() - t0;
      } catch {
        if (Date.now() - t0 > 120_000) throw new Error(`mariadbd did not answer within 120 s: ${err}`);
        await sleep(100);
      }
    }
  }

  kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  async remove(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function ticketLine(i: number): string {
  return (
    JSON.stringify({
      ticketNo: `FL${String(i).padStart(9, '0')}`,
      receivedAt: new Date(Date.UTC(2026, 6, 1) + (i % 90) * 86_400_000 + (i % 1440) * 60_000).toISOString(),
      channel: 'phone',
      callerName: '李先生',
      callerPhone: `138${String(10_000_000 + ((i * 7919) % 89_999_999)).slice(-8)}`,
      content: `来电人反映：小区地下车库照明损坏，夜间出入不安全，请物业尽快维修（${i}）。`,
      status: 'received',
    }) + '\n'
  );
}

async function writeFile(path: string): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < ROWS; ) {
    let chunk = '';
    for (let k = 0; k < 1000 && i < ROWS; k++, i++) chunk += ticketLine(i);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

/** POSTs the file as a stream; resolves with the status and body, or the connection error. */
function streamImport(url: string, token: string, file: string): Promise<{ status: number | string; body: string }> {
  return new Promise((resolve) => {
    const req = http.request(`${url}/api/tickets/import`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson', Authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ status: e.code ?? e.message, body }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: e.code ?? e.message, body: '' }));
    const src = createReadStream(file, { highWaterMark: 64 * 1024 });
    src.pipe(req);
    req.on('close', () => src.destroy());
  });
}

const startServer = (env: NodeJS.ProcessEnv) => startBuiltServer(env);

async function api<T = Record<string, unknown>>(url: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const r = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${path}: HTTP ${r.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

async function readyStatus(url: string): Promise<number> {
  try {
    return (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    return 0;
  }
}

function openSocket(url: string, auth: Record<string, unknown>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(`${url}/live`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

type Ack = { ok: boolean; error?: { code: string }; [k: string]: unknown };
async function ackOf(s: Socket, event: string, payload: unknown, ms = 10_000): Promise<Ack | 'no ack'> {
  try {
    return (await s.timeout(ms).emitWithAck(event, payload)) as Ack;
  } catch {
    return 'no ack';
  }
}

async function main(): Promise<void> {
  const db = new PrivateMariaDb();
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const sockets: Socket[] = [];
  const file = join(db.dir, 'tickets.ndjson');
  try {
    log(`installing a private MariaDB in ${db.dir}`);
    await db.install();
    await db.start();
    const admin = await createConnection({ uri: db.url() });
    await admin.query('CREATE DATABASE hub CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    await admin.end();
    log(`mariadbd on port ${db.port}; starting the built server`);
    server = await startServer({
      ...process.env,
      PORT: '0',
      DATABASE_URL: db.url('hub'),
      NODE_ENV: 'development',
      DEMO_DATA: 'false',
      JOBS_ENABLED: 'false',
      REDIS_URL: '',
      SMTP_URL: '',
      MAIL_DIR: join(db.dir, 'mail'),
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      JWT_SECRET: 'faults-secret-faults-secret-faults-secret',
      IMPORT_MAX_ROWS: String(Math.max(ROWS, 1_000_000)),
    });
    const { url } = server;
    const login = async (username: string, password: string) => (await api<{ accessToken: string; user: { id: number } }>(url, '/api/auth/login', null, { username, password }));
    const adminToken = (await login(ADMIN.username, ADMIN.password)).accessToken;
    for (const role of ['operator', 'moderator', 'leader'] as const) {
      await api(url, '/api/users', adminToken, { username: `faults-${role}`, password: 'password-123', role, displayName: `故障演练${role}`, departmentCode: 'city' });
    }
    const operator = await login('faults-operator', 'password-123');
    const moderator = await login('faults-moderator', 'password-123');
    const leaderUser = await login('faults-leader', 'password-123');
    const leader = await api<{ id: number }>(url, '/api/leaders', adminToken, { name: '周副区长', title: '副区长', departmentCode: 'city', email: 'leader@example.org', userId: leaderUser.user.id });
    // A session on air now (written directly: the weekly broadcast slots would refuse "now" through the API).
    const seed = await createConnection({ uri: db.url('hub'), timezone: 'Z' });
    const startsAt = new Date(Date.now() - 10 * 60_000);
    const [ins] = (await seed.query(
      'INSERT INTO livestream_sessions (title, description, departmentCode, leaderIds, topicKeys, startsAt, endsAt, planned, status, streamUrl, sequence, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ['故障演练直播', null, 'city', JSON.stringify([leader.id]), '[]', startsAt, new Date(startsAt.getTime() + 2 * 3600_000), 0, 'live', null, 0, new Date(), new Date()],
    )) as unknown as [{ insertId: number }];
    await seed.end();
    const session = { id: ins.insertId };

    // Live Q&A: two viewers, the moderator and the leader, all joined; one question approved before the outage.
    const viewers = [await openSocket(url, { viewerKey: 'faults-viewer-0001' }), await openSocket(url, { viewerKey: 'faults-viewer-0002' })];
    const mod = await openSocket(url, { token: moderator.accessToken });
    const lead = await openSocket(url, { token: leaderUser.accessToken });
    sockets.push(...viewers, mod, lead);
    let disconnects = 0;
    for (const s of sockets) {
      s.on('disconnect', () => disconnects++);
      const j = await ackOf(s, 'session:join', { sessionId: session.id });
      if (j === 'no ack' || !j.ok) throw new Error(`join: ${JSON.stringify(j)}`);
    }
    const q0 = (await ackOf(viewers[0], 'question:ask', { sessionId: session.id, text: '演练前的问题：地下车库照明什么时候修好？' })) as Ack;
    await ackOf(mod, 'question:moderate', { questionId: q0.questionId, decision: 'approve' });

    log(`writing ${ROWS} tickets to ${file}`);
    await writeFile(file);
    const counter = await createConnection({ uri: db.url('hub') });
    const count = async (c = counter) => Number(((await c.query('SELECT COUNT(*) AS n FROM tickets')) as [Array<{ n: number }>, unknown])[0][0].n);

    // The import runs; once a fifth of the rows are in, mariadbd is killed.
    const importing = streamImport(url, operator.accessToken, file);
    const importStarted = Date.now();
    while ((await count()) < ROWS / 5) {
      if (Date.now() - importStarted > 300_000) throw new Error('import too slow to interrupt');
      await sleep(20);
    }
    await counter.end();
    const beforeKill = await readyStatus(url);
    await db.kill();
    const killedAt = Date.now();
    log(`mariadbd killed (SIGKILL) during the import; down for ${DOWN_MS / 1000} s`);
    let to503 = -1;
    while (to503 < 0 && Date.now() - killedAt < 10_000) {
      if ((await readyStatus(url)) === 503) to503 = Date.now() - killedAt;
      else await sleep(50);
    }
    const importResult = await importing;
    log(`import answered ${importResult.status} ${importResult.body.slice(0, 200)}`);

    // Q&A during the outage: a question and an answer every 2 s.
    const acks = { sent: 0, errorAcks: 0, okAcks: 0, missing: 0, slowestMs: 0, codes: new Set<string>() };
    let n = 0;
    while (Date.now() - killedAt < DOWN_MS - 2000) {
      for (const [s, ev, payload] of [
        [viewers[n % 2], 'question:ask', { sessionId: session.id, text: `停机中的第${n}个问题：能收到吗？` }],
        [lead, 'question:answer', { questionId: q0.questionId, text: `停机中的第${n}次回答。` }],
      ] as const) {
        const t0 = Date.now();
        const a = await ackOf(s, ev, payload);
        acks.sent++;
        acks.slowestMs = Math.max(acks.slowestMs, Date.now() - t0);
        if (a === 'no ack') acks.missing++;
        else if (a.ok) acks.okAcks++;
        else {
          acks.errorAcks++;
          acks.codes.add(a.error?.code ?? '?');
        }
      }
      n++;
      await sleep(Math.max(0, killedAt + n * 2000 - Date.now()));
    }
    const stillReady = await readyStatus(url);
    await sleep(Math.max(0, killedAt + DOWN_MS - Date.now()));
    const viewersConnected = viewers.filter((v) => v.connected).length;

    const restartAt = Date.now();
    const dbStartMs = await db.start();
    log(`mariadbd back after ${((restartAt - killedAt) / 1000).toFixed(1)} s down (answering ${dbStartMs} ms after the restart)`);
    let readyAgainMs = -1;
    while (readyAgainMs < 0 && Date.now() - restartAt < 120_000) {
      if ((await readyStatus(url)) === 200) readyAgainMs = Date.now() - restartAt;
      else await sleep(100);
    }

    // Q&A again on the same sockets.
    const qaStart = Date.now();
    const pendingSeen = new Promise<number>((resolve) => mod.once('question:pending', (p: { question: { id: number } }) => resolve(p.question.id)));
    const q1 = await ackOf(viewers[1], 'question:ask', { sessionId: session.id, text: '恢复后的问题：现在能收到吗？' });
    const q1ok = q1 !== 'no ack' && q1.ok;
    const answeredSeen = Promise.all(viewers.map((v) => new Promise<void>((resolve) => v.on('question:answered', (p: { questionId: number }) => p.questionId === q0.questionId && resolve()))));
    const ans = await ackOf(lead, 'question:answer', { questionId: q0.questionId, text: '本周内修好。' });
    const qaAfter = q1ok && ans !== 'no ack' && ans.ok && (await Promise.race([Promise.all([pendingSeen, answeredSeen]).then(() => true), sleep(10_000).then(() => false)]));
    const qaAfterMs = Date.now() - qaStart;

    const check = await createConnection({ uri: db.url('hub') });
    const before = await count(check);
    const reimportAt = Date.now();
    const again = await streamImport(url, operator.accessToken, file);
    const reimportMs = Date.now() - reimportAt;
    const after = await count(check);
    const distinct = Number(((await check.query('SELECT COUNT(DISTINCT ticketNo) AS n FROM tickets')) as [Array<{ n: number }>, unknown])[0][0].n);
    await check.end();
    const r = again.status === 200 ? (JSON.parse(again.body) as { received: number; inserted: number; duplicates: number; rejected: number }) : undefined;
    const crashed = server.proc.exitCode !== null ? 1 : 0;
    const out = server.out();
    const fatal = (out.match(/unhandled ?rejection|uncaught ?exception|"level":"fatal"/gi) ?? []).length;

    const figures = {
      rows: ROWS,
      downSeconds: Math.round((restartAt - killedAt) / 1000),
      readyBeforeKill: beforeKill,
      readiness503Ms: to503,
      readyDuringOutage: stillReady,
      importDuringOutage: importResult.status,
      rowsWhenKilled: before,
      rowsWholeBatches: before % BATCH === 0,
      qaDuringOutage: { sent: acks.sent, errorAcks: acks.errorAcks, okAcks: acks.okAcks, missingAcks: acks.missing, slowestAckMs: acks.slowestMs, codes: [...acks.codes] },
      viewersConnectedAfterOutage: `${viewersConnected}/${viewers.length}`,
      socketDisconnects: disconnects,
      mariadbAnsweringAfterRestartMs: dbStartMs,
      readyAgainAfterRestartMs: readyAgainMs,
      qaFlowsAfterReturn: qaAfter,
      qaAfterReturnMs: qaAfterMs,
      reimport: r ? { ...r, ms: reimportMs, balanced: r.received === r.inserted + r.duplicates + r.rejected } : again.status,
      rowsAfterReimport: after,
      distinctTicketNos: distinct,
      serverCrashes: crashed,
      unhandledErrorsInLog: fatal,
    };
    process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
    const okAll =
      to503 >= 0 && to503 < 2000 && readyAgainMs >= 0 && readyAgainMs < 30_000 && before % BATCH === 0 && after === ROWS && distinct === ROWS && !!r &&
      r.received === r.inserted + r.duplicates + r.rejected && acks.missing === 0 && acks.okAcks === 0 && qaAfter && disconnects === 0 && crashed === 0 && fatal === 0;
    process.stdout.write(okAll ? 'faults: all expectations met\n' : 'faults: EXPECTATIONS NOT MET (see figures)\n');
    if (!okAll) process.exitCode = 1;
  } finally {
    for (const s of sockets) s.close();
    if (server && server.proc.exitCode === null) {
      server.proc.kill('SIGTERM');
      await new Promise((r) => server!.proc.once('exit', r));
    }
    await db.remove();
  }
}

main().catch((e) => {
  process.stderr.write(`faults failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
