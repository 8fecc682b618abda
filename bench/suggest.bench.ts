/**
 * Dispatch-suggestion latency (`npm run bench:suggest`): the operator's `POST /api/tickets/suggest` must answer within
 * 50 ms. Boots the built server (dist/src/main.js) as its own process on a temp SQLite file, logs in as admin and, on one
 * keep-alive connection, alternates BENCH_CALLS (default 2,000) suggestion calls with the same number of calls of
 * `GET /health` (the bare baseline: same server, same connection, same auth-free round trip, no work). The first
 * suggestion after start is reported on its own: it loads the segmentation dictionary (kept out of an idle server).
 * Texts: the dev set's ticket texts when ../shared is present, else a few built-in ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchLogin, benchServerEnv, BUILT_IN_TEXTS, devTexts, startBuiltServer } from './common';

const CALLS = Number(process.env.BENCH_CALLS) || 2000;
const BUILT_IN = [...BUILT_IN_TEXTS, '小区门口早市占道经营，早上六点就很吵'];

function texts(): { list: string[]; source: string } {
  const dev = devTexts();
  if (dev) return { list: dev.texts.slice(0, CALLS), source: `first ${Math.min(CALLS, dev.texts.length)} texts of ${dev.file}` };
  return { list: BUILT_IN, source: `${BUILT_IN.length} built-in texts (../shared not present)` };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function timed(f: () => Promise<Response>): Promise<number> {
  const t = process.hrtime.bigint();
  const r = await f();
  await r.arrayBuffer();
  if (r.status >= 300) throw new Error(`HTTP ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-suggest-'));
  const { proc, url } = await startBuiltServer(benchServerEnv(`sqlite:${join(dir, 'hub.sqlite')}`));
  try {
    const accessToken = await benchLogin(url);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` };
    const { list, source } = texts();
    const suggest = (content: string) => timed(() => fetch(`${url}/api/tickets/suggest`, { method: 'POST', headers, body: JSON.stringify({ content }) }));
    const health = () => timed(() => fetch(`${url}/health`));
    await health();
    const cold = await suggest('楼道里有人给电动车充电，电线从窗户拉下来，很危险'); // no early keyword hit: segments
    const s: number[] = [];
    const h: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      s.push(await suggest(list[i % list.length]));
      h.push(await health());
    }
    const row = (name: string, xs: number[]) => `| ${name} | ${pct(xs, 50).toFixed(2)} | ${pct(xs, 99).toFixed(2)} | ${Math.max(...xs).toFixed(2)} |`;
    console.log(`texts: ${source}; ${CALLS} calls each, alternating, one keep-alive connection; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`first suggestion after start (loads the dictionary): ${cold.toFixed(0)} ms`);
    console.log('| call | p50 ms | p99 ms | max ms |\n|---|---|---|---|');
    console.log(row('POST /api/tickets/suggest', s));
    console.log(row('GET /health (baseline)', h));
    console.log(`p50 ratio suggest/health = ${(pct(s, 50) / pct(h, 50)).toFixed(2)}; p99 ratio = ${(pct(s, 99) / pct(h, 99)).toFixed(2)}; calls over 50 ms: ${s.filter((x) => x > 50).length} of ${CALLS}`);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
