/**
 * Topic tagging benchmark: a quarter of BENCH_ROWS (default 250,000) tickets in a fresh MariaDB database
 * (BENCH_MYSQL_URL, default mysql://hub:hub@127.0.0.1:3306/), then
 *   1. bare jieba segmentation of the same texts in memory (before and after 2; their mean is the baseline), and
 *   2. the whole quarterly run (read in id windows, tag, cluster, write tags to ticket_topics, store the report),
 * printing tickets/s of both, their ratio and peak RSS.  `npm run bench:topics`
 * `node -r redis dist/bench/topics.bench.js` measures the run as in a process with REDIS_URL set (node-redis loaded).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/common/clock.service';
import type { LockService } from '../src/common/lock.service';
import type { AppConfig } from '../src/config/app-config';
import { dataSourceOptions } from '../src/database/data-source-options';
import { Ticket } from '../src/tickets/ticket.entity';
import { TicketTopics } from '../src/tickets/ticket-topics.entity';
import { jieba } from '../src/topics/topic-model';
import { TopicReport } from '../src/topics/topic-report.entity';
import { TopicsService } from '../src/topics/topics.service';
import { BUILT_IN_TEXTS, devTexts } from './common';

const N = Number(process.env.BENCH_ROWS ?? 250_000);
const SERVER = (process.env.BENCH_MYSQL_URL ?? 'mysql://hub:hub@127.0.0.1:3306/').replace(/\/[^/]*$/, '/');
const QUARTER = '2026Q3';

function baseTexts(): string[] {
  const dev = devTexts();
  if (dev) {
    console.log(`texts: ${dev.file}`);
    return dev.texts;
  }
  console.log('texts: six built-in ones (no shared/data/tickets-dev.ndjson found above the working directory)');
  return BUILT_IN_TEXTS;
}

let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));

async function main() {
  const timer = setInterval(sample, 50);
  const bases = baseTexts();
  const text = (i: number) => bases[i % bases.length].replace(/\d+/, String((i % 97) + 1));
  const name = `hub_bench_topics_${randomBytes(3).toString('hex')}`;
  const admin = await createConnection({ uri: SERVER });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const ds = new DataSource(dataSourceOptions({ type: 'mysql', url: `${SERVER}${name}` }, [Ticket, TicketTopics, TopicReport]));
  try {
    await ds.initialize();
    await ds.runMigrations();
    const tIns = Date.now();
    const at = new Date('2026-08-01T02:00:00Z');
    for (let i = 0; i < N; i += 2000) {
      const rows = [];
      for (let j = i; j < Math.min(N, i + 2000); j++) {
        rows.push({
          ticketNo: `B${String(j).padStart(9, '0')}`,
          receivedAt: at,
          quarter: QUARTER,
          channel: 'phone' as const,
          callerPhone: `139${String(j % 50000).padStart(8, '0')}`,
          street: ['德胜', '月坛', '金融街', '天桥', '牛街'][j % 5],
          content: text(j),
          departmentCode: 'city',
          status: (j % 3 ? 'closed' : 'in_progress') as Ticket['status'],
          satisfaction: (j % 3 ? 'satisfied' : null) as Ticket['satisfaction'],
          topics: [],
        });
      }
      await ds.createQueryBuilder().insert().into(Ticket).values(rows).execute();
    }
    console.log(`inserted ${N} tickets in ${((Date.now() - tIns) / 1000).toFixed(1)} s`);
    // The setup's inserts leave InnoDB with dirty pages it flushes in the background for a while; a quarterly run
    // happens long after its tickets arrived, so let that settle before measuring (at most 60 s).
    const dirty = async () => Number(((await admin.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'")) as unknown as [Array<{ Value: string }>])[0][0]?.Value ?? 0);
    const tFlush = Date.now();
    while ((await dirty()) > 200 && Date.now() - tFlush < 60_000) await new Promise((r) => setTimeout(r, 500));
    console.log(`waited ${((Date.now() - tFlush) / 1000).toFixed(1)} s for InnoDB to flush the setup's pages (${await dirty()} dirty pages left)`);

    // 1. bare segmentation in memory, before and after the run (the machine is shared: load changes within a run)
    const j = jieba();
    let toks = 0;
    const bare = () => {
      const t1 = process.hrtime.bigint();
      toks = 0;
      for (let i = 0; i < N; i++) toks += j.cut(text(i), false).length;
      return Number(process.hrtime.bigint() - t1) / 1e9;
    };
    const bareBefore = bare();
    sample();

    // 2. the whole run through the service (same code as POST /api/topics/quarters/:q/run)
    const lock = { acquire: async () => true, release: async () => undefined } as unknown as LockService;
    const svc = new TopicsService(ds.getRepository(Ticket), ds.getRepository(TopicReport), lock, new ClockService(), { jobsEnabled: false } as AppConfig);
    const t2 = process.hrtime.bigint();
    const rep = await svc.start(QUARTER, true);
    const runS = Number(process.hrtime.bigint() - t2) / 1e9;
    sample();
    const bareAfter = bare();
    const bareS = (bareBefore + bareAfter) / 2;
    const bareRate = N / bareS;
    const runRate = N / runS;
    console.log(`bare jieba cut: ${N} texts (${toks} tokens) in ${bareBefore.toFixed(2)} s before the run, ${bareAfter.toFixed(2)} s after; mean ${bareS.toFixed(2)} s = ${Math.round(bareRate)} tickets/s`);
    console.log(`full run (read, tag, cluster, write tags + report): ${rep.ticketCount} tickets in ${runS.toFixed(2)} s = ${Math.round(runRate)} tickets/s`);
    console.log(`ratio run/bare = ${(runRate / bareRate).toFixed(2)}; topics in report ${rep.topics.length} (${rep.topics.filter((x) => x.kind === 'emerging').length} emerging)`);
    // node-redis makes every string method slower once loaded (src/common/redis.service.ts, loadRedis): say which case this is
    const redisLoaded = Object.keys(require.cache).some((f) => /[\\/]node_modules[\\/]@redis[\\/]client[\\/]/.test(f));
    console.log(`node-redis loaded in this process: ${redisLoaded ? 'yes (as with REDIS_URL set)' : 'no (as without REDIS_URL)'}`);
    console.log(`peak RSS ${(Math.max(peak, process.resourceUsage().maxRSS * 1024) / 1048576).toFixed(0)} MB`);
  } finally {
    clearInterval(timer);
    if (ds.isInitialized) await ds.destroy();
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
