/**
 * Soak (`npm run soak`): viewers and staff on the built server for minutes, on one instance and on two behind Redis.
 *
 * For each run the main process creates a fresh MariaDB database (dropped at the end), starts the server(s) as their
 * own processes (`node dist/src/main.js`, NODE_ENV=production, jobs on), with two instances an empty Redis database of
 * its own (the adapter's stream and the rate-limit keys cannot meet other users of the same Redis), sets the scene up
 * through the REST API (staff, leaders, a live session), then forks client processes: SOAK_CLIENT_PROCS viewer
 * processes (viewers split over them and over the instances) and one staff process (moderators, leaders, clerks,
 * applicants, board screens). See bench/soak-load.ts for what each of them does.
 *
 * Measured: errors (failed/timed-out acks, unexpected disconnects, connect errors, unexpected HTTP statuses, 5xx,
 * error lines in the server log, a server exit), answer fan-out delay (leader's emit → each viewer's receipt, on the
 * machine's clock: Date.now() in the answer text), deliveries and missing deliveries, window status delay, server RSS
 * (/proc/<pid>/status VmRSS) and heap (the app's /metrics) every 15 s, CPU of every process.
 *
 * Env: SOAK_MINUTES (10), SOAK_VIEWERS (2000), SOAK_STAFF (20), SOAK_INSTANCES (1 | 2 | both, default both),
 * SOAK_CLIENT_PROCS (2), SOAK_CHURN (viewers coming and going, default 1% of SOAK_VIEWERS), SOAK_BOARDS (20),
 * SOAK_MYSQL_URL (mysql://hub:hub@127.0.0.1:3306/), SOAK_REDIS_URL (redis://127.0.0.1:6379), load rates
 * SOAK_ASK_EVERY_S (300), SOAK_UPVOTE_EVERY_S (400), SOAK_ANSWER_EVERY_S (15), SOAK_CLERK_EVERY_S (8), SOAK_APPROVE_SHARE (0.1).
 * Exit code 1 when any run had an error or a missing delivery. The JSON of each run goes to $TMPDIR/hub-soak-<run>.json.
 */
import { ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { claimRedisDb, CrowdResult, ErrorLog, http, LoadParams, percentile, Scenario, setupScenario, sleep, StaffCrew, staffSplit, StaffResult, ViewerCrowd } from './soak-load';
import { freePort } from './common';

const num = (name: string, def: number) => (process.env[name] && Number(process.env[name]) > 0 ? Number(process.env[name]) : def);
const MINUTES = num('SOAK_MINUTES', 10);
const VIEWERS = Math.round(num('SOAK_VIEWERS', 2000));
const STAFF = Math.round(num('SOAK_STAFF', 20));
const PROCS = Math.round(num('SOAK_CLIENT_PROCS', 2));
const CHURN = process.env.SOAK_CHURN !== undefined && process.env.SOAK_CHURN !== '' ? Number(process.env.SOAK_CHURN) : Math.round(VIEWERS * 0.01);
const BOARDS = process.env.SOAK_BOARDS !== undefined && process.env.SOAK_BOARDS !== '' ? Number(process.env.SOAK_BOARDS) : 20;
const MYSQL = (process.env.SOAK_MYSQL_URL || 'mysql://hub:hub@127.0.0.1:3306/').replace(/\/[^/]*$/, '/');
const REDIS = (process.env.SOAK_REDIS_URL || 'redis://127.0.0.1:6379').replace(/\/\d*$/, '');
const RUNS: number[] = (() => {
  const v = process.env.SOAK_INSTANCES || 'both';
  if (v === 'both') return [1, 2];
  if (v === '1' || v === '2') return [Number(v)];
  throw new Error(`SOAK_INSTANCES must be 1, 2 or both (got ${v})`);
})();
const PARAMS: LoadParams = {
  askEveryS: num('SOAK_ASK_EVERY_S', 300),
  upvoteEveryS: num('SOAK_UPVOTE_EVERY_S', 400),
  answerEveryS: num('SOAK_ANSWER_EVERY_S', 15),
  approveShare: num('SOAK_APPROVE_SHARE', 0.1),
  clerkEveryS: num('SOAK_CLERK_EVERY_S', 8),
  churnStayS: 60,
};
const ADMIN = { username: 'soak-admin', password: 'soak-admin-password-1' };
const SAMPLE_MS = 15_000;

type ToWorker =
  | { type: 'init'; role: 'viewers'; urls: string[]; sessionId: number; prefix: string; offset: number; count: number; churn: number; params: LoadParams }
  | { type: 'init'; role: 'staff'; urls: string[]; scenario: Scenario; params: LoadParams; boards: number }
  | { type: 'start' }
  | { type: 'stop' }
  | { type: 'report'; answered: number[] }
  | { type: 'close' };
type FromWorker = { type: 'ready' } | { type: 'failed'; error: string } | { type: 'stopped' } | { type: 'result'; result: CrowdResult | StaffResult };

// ───────────────────────────── client worker ─────────────────────────────

function worker(): void {
  let crowd: ViewerCrowd | undefined;
  let crew: StaffCrew | undefined;
  const send = (m: FromWorker) => process.send!(m);
  process.on('message', async (m: ToWorker) => {
    try {
      if (m.type === 'init' && m.role === 'viewers') {
        crowd = new ViewerCrowd(m.urls, m.sessionId, m.prefix, m.offset, m.count, m.churn, m.params);
        await crowd.connect();
        send({ type: 'ready' });
      } else if (m.type === 'init' && m.role === 'staff') {
        crew = new StaffCrew(m.urls, m.scenario, m.params, m.boards);
        await crew.connect();
        send({ type: 'ready' });
      } else if (m.type === 'start') {
        crowd?.start();
        crew?.start();
      } else if (m.type === 'stop') {
        await crowd?.stop();
        await crew?.stop();
        send({ type: 'stopped' });
      } else if (m.type === 'report') {
        const result = crowd ? crowd.result(m.answered) : await crew!.result();
        send({ type: 'result', result });
      } else if (m.type === 'close') {
        crowd?.close();
        crew?.close();
        setTimeout(() => process.exit(0), 300);
      }
    } catch (e) {
      send({ type: 'failed', error: (e as Error)?.stack ?? String(e) });
    }
  });
}

class Worker {
  readonly child: ChildProcess;
  private readonly inbox: FromWorker[] = [];
  private waiters: Array<() => void> = [];
  exited: number | null = null;
  constructor(readonly name: string) {
    this.child = fork(__filename, ['--worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=2048'] });
    this.child.on('message', (m: FromWorker) => {
      this.inbox.push(m);
      this.wake();
    });
    this.child.on('exit', (code) => {
      this.exited = code ?? -1;
      this.wake();
    });
  }
  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  send(m: ToWorker) {
    this.child.send(m);
  }
  async wait<T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type || m.type === 'failed');
      if (i >= 0) {
        const m = this.inbox.splice(i, 1)[0];
        if (m.type === 'failed') throw new Error(`${this.name}: ${m.error}`);
        return m as Extract<FromWorker, { type: T }>;
      }
      if (this.exited !== null) throw new Error(`${this.name} exited (${this.exited})`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
}

// ───────────────────────────── servers ─────────────────────────────

interface Server {
  name: string;
  url: string;
  proc: ChildProcess;
  errorLines: string[];
  warnLines: number;
  exit: number | null;
}

async function startServer(name: string, env: Record<string, string>, dir: string): Promise<Server> {
  const port = await freePort();
  const proc = spawn(process.execPath, [join(__dirname, '..', 'src', 'main.js')], {
    env: { ...process.env, ...env, PORT: String(port), MAIL_DIR: join(dir, `mail-${name}`) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const srv: Server = { name, url: `http://127.0.0.1:${port}`, proc, errorLines: [], warnLines: 0, exit: null };
  let buf = '';
  const onData = (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (/"level":"(error|fatal)"|^\s*(Error|TypeError|RangeError)\b|Unhandled|uncaught/i.test(line)) srv.errorLines.push(line.slice(0, 400));
      else if (/"level":"warn"/.test(line)) srv.warnLines++;
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  // Nest's shutdown hooks re-raise SIGTERM after a clean close: that is a clean exit (0)
  proc.on('exit', (code, signal) => (srv.exit = code ?? (signal === 'SIGTERM' ? 0 : -1)));
  for (let t = 0; t < 120; t++) {
    if (srv.exit !== null) throw new Error(`${name} exited at start (${srv.exit}): ${srv.errorLines.join('\n')}`);
    const r = await http(srv.url, 'GET', '/health/ready');
    if (r.status === 200) return srv;
    await sleep(500);
  }
  throw new Error(`${name} not ready after 60 s`);
}

async function stopServer(s: Server): Promise<number> {
  if (s.exit !== null) return s.exit;
  s.proc.kill('SIGTERM');
  for (let i = 0; i < 150 && s.exit === null; i++) await sleep(100);
  if (s.exit === null) {
    s.proc.kill('SIGKILL');
    await sleep(200);
    return -9;
  }
  return s.exit;
}

function rssKB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}
/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(parts[11]) + Number(parts[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}
async function heapMB(url: string): Promise<number | null> {
  const r = await http(url, 'GET', '/metrics');
  const m = typeof r.body === 'string' ? /^hub_nodejs_heap_size_used_bytes\s+([\d.e+]+)/m.exec(r.body) : null;
  return m ? +(Number(m[1]) / 1048576).toFixed(1) : null;
}

// ───────────────────────────── one run ─────────────────────────────

interface RunSummary {
  instances: number;
  minutes: number;
  viewers: number;
  staff: ReturnType<typeof staffSplit>;
  churners: number;
  boards: number;
  clientProcs: number;
  errors: { total: number; counts: Record<string, number>; samples: string[]; byMinute: Record<number, number> };
  serverErrorLines: string[];
  answers: number;
  deliveries: number;
  expectedDeliveries: number;
  missing: number;
  duplicates: number;
  fanoutMs: { p50: number; p99: number; max: number };
  asks: number;
  upvotes: number;
  moderated: { approved: number; rejected: number };
  highlights: number;
  churnJoins: number;
  events: Record<string, number>;
  window: StaffResult['applications'] & { lateCreationEvents: number; statusP50Ms: number; statusP99Ms: number; statusMaxMs: number; statusMissing: number; board: StaffResult['board'] };
  rss: Array<{ server: string; at1: number; atMid: number; atEnd: number; warm: number; samples: Array<[number, number, number | null]> }>;
  cpu: { servers: Record<string, number>; clients: Record<string, number>; loadavg: number[] };
  serverExit: Record<string, number>;
}

async function run(instances: number): Promise<RunSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'hub-soak-'));
  const dbName = `hub_soak_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = await createConnection({ uri: MYSQL });
  await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const redis = instances > 1 ? await claimRedisDb(REDIS) : null;
  const servers: Server[] = [];
  const workers: Worker[] = [];
  const log = (s: string) => process.stdout.write(`[soak ${instances}x ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
  try {
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: `${MYSQL}${dbName}`,
      REDIS_URL: redis?.url ?? '',
      JWT_SECRET: randomBytes(24).toString('hex'),
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      DEMO_DATA: 'false',
      JOBS_ENABLED: 'true',
      SMTP_URL: '',
    };
    // one after the other: the first one runs the migrations
    for (let i = 0; i < instances; i++) servers.push(await startServer(`server${i + 1}`, env, dir));
    const urls = servers.map((s) => s.url);
    log(`server(s) ready: ${urls.join(' ')}${redis ? ` (Redis ${redis.url})` : ''}`);
    const split = staffSplit(STAFF);
    const scenario = await setupScenario(urls[0], ADMIN, split, `soak${instances}`);
    log(`session ${scenario.sessionId} live; staff ${JSON.stringify(split)}`);

    const staff = new Worker('staff');
    workers.push(staff);
    staff.send({ type: 'init', role: 'staff', urls, scenario, params: PARAMS, boards: BOARDS });
    const per = Math.ceil(VIEWERS / PROCS);
    const viewers: Worker[] = [];
    for (let p = 0; p < PROCS; p++) {
      const count = Math.max(0, Math.min(per, VIEWERS - p * per));
      const w = new Worker(`viewers${p + 1}`);
      workers.push(w);
      viewers.push(w);
      w.send({ type: 'init', role: 'viewers', urls, sessionId: scenario.sessionId, prefix: `soak${instances}-${randomBytes(3).toString('hex')}`, offset: p * per, count, churn: Math.round(CHURN / PROCS), params: PARAMS });
    }
    const tJoin = Date.now();
    await staff.wait('ready');
    for (const w of viewers) await w.wait('ready');
    log(`${VIEWERS} viewers joined in ${((Date.now() - tJoin) / 1000).toFixed(0)} s; load for ${MINUTES} min`);

    const cpuS0 = Object.fromEntries(servers.map((s) => [s.name, cpuMs(s.proc.pid!)]));
    const samples = new Map<string, Array<[number, number, number | null]>>(servers.map((s) => [s.name, []]));
    const t0 = Date.now();
    for (const w of workers) w.send({ type: 'start' });
    const end = t0 + MINUTES * 60_000;
    let nextSample = t0 + Math.min(SAMPLE_MS, MINUTES * 60_000);
    while (Date.now() < end) {
      await sleep(Math.max(0, Math.min(nextSample, end) - Date.now()));
      const t = (Date.now() - t0) / 60_000;
      for (const s of servers) {
        if (s.exit !== null) throw new Error(`${s.name} exited (${s.exit}) during the run: ${s.errorLines.slice(-3).join('\n')}`);
        samples.get(s.name)!.push([+t.toFixed(2), rssKB(s.proc.pid!), await heapMB(s.url)]);
      }
      if (Math.round(t * 4) % 4 === 0)
        log(`t=${t.toFixed(1)} min: ${servers.map((s) => `${s.name} RSS ${(samples.get(s.name)!.at(-1)![1] / 1024).toFixed(0)} MB heap ${samples.get(s.name)!.at(-1)![2]} MB`).join(', ')}; server error lines ${servers.reduce((n, s) => n + s.errorLines.length, 0)}; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
      nextSample += SAMPLE_MS;
    }
    const cpuS = Object.fromEntries(servers.map((s) => [s.name, +((cpuMs(s.proc.pid!) - cpuS0[s.name]) / (Date.now() - t0) * 100).toFixed(0)]));
    const load = loadavg().map((x) => +x.toFixed(2));
    const elapsed = Date.now() - t0;
    for (const w of workers) w.send({ type: 'stop' });
    for (const w of workers) await w.wait('stopped');
    log('load stopped; letting the last deliveries arrive');
    await sleep(10_000); // the same grace for every run: whatever has not arrived by then counts as missing
    staff.send({ type: 'report', answered: [] });
    const sr = (await staff.wait('result')).result as StaffResult;
    const answeredIds = sr.answered.map((a) => a.qid);
    const crowds: CrowdResult[] = [];
    for (const w of viewers) {
      w.send({ type: 'report', answered: answeredIds });
      crowds.push((await w.wait('result')).result as CrowdResult);
    }
    for (const w of workers) w.send({ type: 'close' });

    const errors = new ErrorLog();
    errors.merge(sr.errors);
    for (const c of crowds) errors.merge(c.errors);
    const serverErrorLines = servers.flatMap((s) => s.errorLines.map((l) => `${s.name}: ${l}`));
    if (serverErrorLines.length) errors.counts.server_log_error = serverErrorLines.length;
    const serverExit: Record<string, number> = {};
    for (const s of servers) {
      serverExit[s.name] = await stopServer(s);
      if (serverExit[s.name] !== 0) errors.add('server_exit', `${s.name} exit ${serverExit[s.name]}`);
    }
    servers.length = 0;

    const lat = crowds.flatMap((c) => c.latencies).sort((a, b) => a - b);
    const sl = [...sr.statusLatencies].sort((a, b) => a - b);
    const events: Record<string, number> = {};
    for (const c of crowds) for (const [k, v] of Object.entries(c.events)) events[k] = (events[k] ?? 0) + v;
    const at = (xs: Array<[number, number, number | null]>, m: number) => xs.reduce((best, x) => (Math.abs(x[0] - m) < Math.abs(best[0] - m) ? x : best), xs[0]);
    const mid = MINUTES >= 10 ? 5 : MINUTES / 2;
    const summary: RunSummary = {
      instances,
      minutes: +(elapsed / 60_000).toFixed(2),
      viewers: crowds.reduce((n, c) => n + c.viewers, 0),
      staff: split,
      churners: CHURN,
      boards: BOARDS,
      clientProcs: PROCS,
      errors: { total: Object.values(errors.counts).reduce((a, b) => a + b, 0), counts: errors.counts, samples: errors.samples, byMinute: errors.byMinute },
      serverErrorLines: serverErrorLines.slice(0, 20),
      answers: sr.answered.length,
      deliveries: crowds.reduce((n, c) => n + c.deliveries, 0),
      expectedDeliveries: sr.answered.length * crowds.reduce((n, c) => n + c.viewers, 0),
      missing: crowds.reduce((n, c) => n + c.missing, 0),
      duplicates: crowds.reduce((n, c) => n + c.duplicates, 0),
      fanoutMs: { p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat.at(-1) ?? NaN },
      asks: crowds.reduce((n, c) => n + c.asks, 0),
      upvotes: crowds.reduce((n, c) => n + c.upvotes, 0),
      moderated: sr.moderated,
      highlights: sr.highlights,
      churnJoins: crowds.reduce((n, c) => n + c.churnJoins, 0),
      events,
      window: { ...sr.applications, lateCreationEvents: sr.lateCreationEvents, statusP50Ms: percentile(sl, 50), statusP99Ms: percentile(sl, 99), statusMaxMs: sl.at(-1) ?? NaN, statusMissing: sr.statusMissing, board: sr.board },
      rss: [...samples.entries()].map(([server, xs]) => {
        const a1 = at(xs, 1)[1];
        const e = xs.at(-1)![1];
        return { server, at1: Math.round(a1 / 1024), atMid: Math.round(at(xs, mid)[1] / 1024), atEnd: Math.round(e / 1024), warm: +(((e - a1) / a1) * 100).toFixed(1), samples: xs };
      }),
      cpu: { servers: cpuS, clients: Object.fromEntries([['staff', Math.round((sr.cpuMs / elapsed) * 100)], ...crowds.map((c, i) => [`viewers${i + 1}`, Math.round((c.cpuMs / elapsed) * 100)])]), loadavg: load },
      serverExit,
    };
    if (summary.missing) errors.add('missing_delivery', `${summary.missing}`);
    if (sr.statusMissing) errors.add('missing_status', `${sr.statusMissing}`);
    summary.errors.total = Object.values(errors.counts).reduce((a, b) => a + b, 0);
    return summary;
  } finally {
    for (const w of workers) if (w.exited === null) w.child.kill();
    for (const s of servers) await stopServer(s);
    const d = await createConnection({ uri: MYSQL });
    await d.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await d.end();
    await redis?.release();
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(rs: RunSummary[]): string {
  const rows: Array<[string, (r: RunSummary) => string]> = [
    ['viewers / staff (mod+leader+clerk) / churners / boards', (r) => `${r.viewers} / ${r.staff.moderators}+${r.staff.leaders}+${r.staff.clerks} / ${r.churners} / ${r.boards}`],
    ['minutes of load', (r) => `${r.minutes}`],
    ['errors (acks, disconnects, HTTP, server log)', (r) => `${r.errors.total}${r.errors.total ? ` ${JSON.stringify(r.errors.counts)}, per minute ${JSON.stringify(r.errors.byMinute)}` : ''}`],
    ['questions asked / approved / rejected', (r) => `${r.asks} / ${r.moderated.approved} / ${r.moderated.rejected}`],
    ['upvotes', (r) => `${r.upvotes}`],
    ['answers / highlights', (r) => `${r.answers} / ${r.highlights}`],
    ['answer deliveries (expected) / missing / duplicates', (r) => `${r.deliveries} (${r.expectedDeliveries}) / ${r.missing} / ${r.duplicates}`],
    ['answer fan-out p50 / p99 / max ms', (r) => `${r.fanoutMs.p50} / ${r.fanoutMs.p99} / ${r.fanoutMs.max}`],
    ['events received by viewers', (r) => Object.entries(r.events).map(([k, v]) => `${k} ${v}`).join(', ')],
    ['applications created / state changes / finished / rated', (r) => `${r.window.created} / ${r.window.transitions} / ${r.window.finished} / ${r.window.rated}`],
    ['window status p50 / p99 / max ms, missing', (r) => `${r.window.statusP50Ms} / ${r.window.statusP99Ms} / ${r.window.statusMaxMs}, ${r.window.statusMissing}`],
    ['late "accepted" events after the watch ack (Redis lag, not errors)', (r) => `${r.window.lateCreationEvents}`],
    ['board:update received / faster than 1 s / polls', (r) => `${r.window.board.updates} / ${r.window.board.tooFast} / ${r.window.board.polls}`],
    ['server RSS MB at 1 / mid / end min (growth after 1 min)', (r) => r.rss.map((x) => `${x.server}: ${x.at1} / ${x.atMid} / ${x.atEnd} (${x.warm >= 0 ? '+' : ''}${x.warm}%)`).join('; ')],
    ['server heap MB at 1 / end', (r) => r.rss.map((x) => `${x.server}: ${x.samples.reduce((b, s) => (Math.abs(s[0] - 1) < Math.abs(b[0] - 1) ? s : b))[2]} / ${x.samples.at(-1)![2]}`).join('; ')],
    ['CPU % of one core (servers; clients) and load average', (r) => `${JSON.stringify(r.cpu.servers)}; ${JSON.stringify(r.cpu.clients)}; load ${r.cpu.loadavg.join(' ')}`],
  ];
  const head = `| | ${rs.map((r) => `${r.instances} instance${r.instances > 1 ? 's + Redis' : ''}`).join(' | ')} |`;
  return [head, `|---|${rs.map(() => '---|').join('')}`, ...rows.map(([k, f]) => `| ${k} | ${rs.map(f).join(' | ')} |`)].join('\n');
}

async function main(): Promise<void> {
  process.stdout.write(
    `soak: ${MINUTES} min × runs ${RUNS.join(',')} instance(s); ${VIEWERS} viewers (+${CHURN} churning) in ${PROCS} client process(es), ${STAFF} staff, ${BOARDS} board screens; rates ${JSON.stringify(PARAMS)}\n`,
  );
  const results: RunSummary[] = [];
  for (const n of RUNS) {
    const r = await run(n);
    results.push(r);
    const file = join(tmpdir(), `hub-soak-${n}.json`);
    writeFileSync(file, JSON.stringify(r, null, 1));
    process.stdout.write(`run ${n}: ${JSON.stringify({ ...r, rss: r.rss.map(({ samples, ...x }) => x) })}\n(full JSON with RSS samples in ${file})\n`);
  }
  process.stdout.write(`\n${table(results)}\n\n`);
  const bad = results.filter((r) => r.errors.total > 0 || r.missing > 0);
  if (bad.length) {
    process.stdout.write(`FAILED: ${bad.map((r) => `${r.instances}x: ${r.errors.total} errors, ${r.missing} missing; ${r.errors.samples.slice(0, 5).join(' | ')} ${r.serverErrorLines.slice(0, 3).join(' | ')}`).join('\n')}\n`);
    process.exit(1);
  }
  process.exit(0);
}

if (process.argv.includes('--worker')) worker();
else
  main().catch((e) => {
    process.stderr.write(`soak failed: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  });
