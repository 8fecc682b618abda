/**
 * Ticket import benchmark (`npm run bench:import`): boots the built server on a fresh MariaDB database
 * (BENCH_MYSQL_URL, default mysql://hub:hub@127.0.0.1:3306/), streams BENCH_ROWS (default 200,000) generated
 * NDJSON tickets (5 % of them repeat calls of the row 3 before) through POST /api/tickets/import and inserts the same
 * rows with raw mysql2 multi-row INSERTs (1000 rows a statement) into `tickets_raw LIKE tickets`, in BENCH_ROUNDS
 * (default 4) alternating rounds of N/rounds rows each: endpoint round, then raw round, so both sides see the same
 * (shared, varying) machine load. Prints each round, the load average, the summed rows/s of both, their ratio and
 * the server process's peak RSS (the server runs as its own process, dist/src/main.js, so the figure is the server's alone).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { benchLogin, benchServerEnv, startBuiltServer } from './common';

const N = Number(process.env.BENCH_ROWS ?? 200_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 4));
const SERVER = (process.env.BENCH_MYSQL_URL ?? 'mysql://hub:hub@127.0.0.1:3306/').replace(/\/[^/]*$/, '/');
const STREETS = ['西长安街', '新街口', '月坛', '展览路', '德胜', '金融街', '什刹海', '大栅栏', '天桥', '椿树', '陶然亭', '广安门内', '牛街', '白纸坊', '广安门外'];
const DEPTS = ['city', 'realty', 'police', 'enforcement', 'housing', 'env', 'fda', 'safety', 'edu', 'hrss', 'civil', 'greening', 'commerce'];
const TEXTS = [
  '来电人反映：小区加装电梯审批流程复杂，希望简化，已多次反映未果。',
  '市民来电称，楼下烧烤店油烟很大，没有安装油烟净化设备，请核实处理。',
  '来电人表示，家中暖气不热，室内温度只有15度，联系供暖单位多次未解决。',
  '市民通过微信反映：共享单车乱停乱放，堵塞地铁口，影响通行。',
  '来电人反映孩子幼升小派位结果不合理，请求有关部门协调处理。',
];
const STATUSES = ['received', 'dispatched', 'in_progress', 'replied', 'closed', 'closed', 'closed'];

interface Gen {
  ticketNo: string;
  receivedAt: Date;
  channel: string;
  callerName: string;
  callerPhone: string;
  street: string;
  community: string;
  content: string;
  departmentCode: string;
  status: string;
  repliedAt: Date | null;
  satisfaction: string | null;
}

/** Every REPEAT_EVERY-th row is the caller of the row 3 before it calling again about the same matter (a repeat call). */
const REPEAT_EVERY = 20;
const phoneOf = (i: number) => `13${String(100_000_000 + ((i * 7919) % 899_999_999)).slice(0, 9)}`;
const textOf = (i: number) => `${TEXTS[i % TEXTS.length]}（${i}）`;

function row(i: number): Gen {
  const again = i >= 3 && i % REPEAT_EVERY === 7;
  const receivedAt = new Date(Date.UTC(2026, 0, 1) + (i % 180) * 86_400_000 + (i % 1440) * 60_000);
  const status = STATUSES[i % STATUSES.length];
  const replied = status === 'replied' || status === 'closed';
  return {
    ticketNo: `BX${String(i).padStart(10, '0')}`,
    receivedAt,
    channel: 'phone',
    callerName: '王女士',
    callerPhone: phoneOf(again ? i - 3 : i),
    street: STREETS[i % STREETS.length],
    community: '福州馆',
    content: again ? `${textOf(i - 3)}（再次来电）` : textOf(i),
    departmentCode: DEPTS[i % DEPTS.length],
    status,
    repliedAt: replied ? new Date(receivedAt.getTime() + 20 * 3600_000) : null,
    satisfaction: status === 'closed' ? (i % 5 === 0 ? 'dissatisfied' : 'satisfied') : null,
  };
}

/** Peak resident memory of the server process, read from /proc (VmHWM = high-water mark of VmRSS). */
function procMemory(pid: number): { rss: number; hwm: number } {
  const txt = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(txt)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** The NDJSON file is written first, so the client side of the request costs the server process almost nothing. */
async function writeFile(path: string, from: number, to: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = from; i < to; ) {
    let chunk = '';
    for (let k = 0; k < 1000 && i < to; k++, i++) {
      const r = row(i);
      chunk += JSON.stringify({ ...r, receivedAt: r.receivedAt.toISOString(), repliedAt: r.repliedAt?.toISOString() ?? null }) + '\n';
    }
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

function streamImport(url: string, token: string, file: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/tickets/import`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson', Authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as Record<string, unknown>) : reject(new Error(`HTTP ${res.statusCode}: ${body}`))));
    });
    req.on('error', reject);
    createReadStream(file, { highWaterMark: 256 * 1024 }).on('error', reject).pipe(req);
  });
}

/**
 * The node flags the server is started with: those of package.json's `start` script (so the bench measures the
 * server as `npm start` runs it), or BENCH_NODE_FLAGS when set (BENCH_NODE_FLAGS= measures without any).
 */
function serverFlags(): string[] {
  if (process.env.BENCH_NODE_FLAGS !== undefined) return process.env.BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean);
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const m = /\bnode\s+(.*?)\s*dist\/src\/main\.js/.exec(pkg.scripts.start ?? '');
  return (m?.[1] ?? '').split(/\s+/).filter((f) => f.startsWith('--'));
}

async function main() {
  const name = `hub_bench_import_${randomBytes(3).toString('hex')}`;
  const admin = await createConnection({ uri: SERVER });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const flags = serverFlags();
  const { proc, url } = await startBuiltServer(benchServerEnv(`${SERVER}${name}`, { IMPORT_MAX_ROWS: String(Math.max(N, 1_000_000)) }), flags);
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, procMemory(proc.pid!).rss);
    } catch {
      /* process gone */
    }
  }, 50);
  let files: string[] = [];
  try {
    const accessToken = await benchLogin(url);
    const c = await createConnection({ uri: `${SERVER}${name}`, timezone: 'Z' });
    await c.query('CREATE TABLE tickets_raw LIKE tickets');
    const cols = ['ticketNo', 'receivedAt', 'quarter', 'channel', 'callerName', 'callerPhone', 'street', 'community', 'content', 'departmentCode', 'status', 'repliedAt', 'satisfaction', 'createdAt', 'updatedAt'];
    const raw = async (from: number, to: number) => {
      for (let i = from; i < to; ) {
        const values: unknown[][] = [];
        const now = new Date();
        for (let k = 0; k < 1000 && i < to; k++, i++) {
          const r = row(i);
          const l = new Date(r.receivedAt.getTime() + 8 * 3600_000);
          values.push([r.ticketNo, r.receivedAt, `${l.getUTCFullYear()}Q${Math.floor(l.getUTCMonth() / 3) + 1}`, r.channel, r.callerName, r.callerPhone, r.street, r.community, r.content, r.departmentCode, r.status, r.repliedAt, r.satisfaction, now, now]);
        }
        await c.query(`INSERT INTO tickets_raw (${cols.map((x) => `\`${x}\``).join(', ')}) VALUES ?`, [values]);
      }
    };
    // All round files are written before anything is timed.
    const bounds = Array.from({ length: ROUNDS }, (_, k) => [Math.floor((N * k) / ROUNDS), Math.floor((N * (k + 1)) / ROUNDS)] as const);
    files = bounds.map((_, k) => join(tmpdir(), `${name}.${k}.ndjson`));
    for (let k = 0; k < ROUNDS; k++) await writeFile(files[k], bounds[k][0], bounds[k][1]);
    const rssBefore = procMemory(proc.pid!).rss;
    peak = rssBefore;
    const mb = (b: number) => Math.round(b / 1048576);
    const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
    const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
    let apiMs = 0;
    let rawMs = 0;
    const lines = [`rows: ${N} in ${ROUNDS} alternating rounds (endpoint, then raw)`, `server node flags: ${flags.join(' ') || '(none)'}`];
    const say = (l: string) => {
      lines.push(l);
      process.stderr.write(l + '\n');
    };
    for (let k = 0; k < ROUNDS; k++) {
      const [from, to] = bounds[k];
      const loadBefore = load();
      let t0 = Date.now();
      const res = await streamImport(url, accessToken, files[k]);
      const a = Date.now() - t0;
      rmSync(files[k], { force: true });
      if (res.inserted !== to - from) throw new Error(`endpoint round ${k + 1} inserted ${String(res.inserted)} of ${to - from}: ${JSON.stringify(res).slice(0, 500)}`);
      const loadMid = load();
      t0 = Date.now();
      await raw(from, to);
      const r = Date.now() - t0;
      apiMs += a;
      rawMs += r;
      say(
        `round ${k + 1}: rows ${from}–${to - 1}: endpoint ${a} ms ${rate(to - from, a)} rows/s (load ${loadBefore}), raw ${r} ms ${rate(to - from, r)} rows/s (load ${loadMid}), ratio ${(r / a).toFixed(2)}, server RSS peak so far ${mb(Math.max(peak, procMemory(proc.pid!).hwm))} MB`,
      );
    }
    const apiPeak = Math.max(peak, procMemory(proc.pid!).hwm);
    const [[{ linked }]] = (await c.query('SELECT COUNT(*) AS linked FROM tickets WHERE repeatOf IS NOT NULL')) as unknown as [[{ linked: number }]];
    await c.end();
    const apiRate = rate(N, apiMs);
    const rawRate = rate(N, rawMs);
    lines.push(
      `endpoint POST /api/tickets/import (NDJSON, streamed), summed over rounds: ${apiMs} ms, ${apiRate} rows/s`,
      `raw mysql2 multi-row INSERT (1000 rows/statement), summed over rounds: ${rawMs} ms, ${rawRate} rows/s`,
      `ratio endpoint/raw: ${(apiRate / rawRate).toFixed(2)}`,
      `repeat calls linked by the import: ${Number(linked)}`,
      `server process RSS: ${mb(rssBefore)} MB before the import, peak ${mb(apiPeak)} MB during the run`,
      `load average at the end: ${load()}`,
    );
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    for (const f of files) rmSync(f, { force: true });
    clearInterval(timer);
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.end();
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
