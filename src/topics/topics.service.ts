import { BadRequestException, ConflictException, Inject, Injectable, Logger, NotFoundException, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { quarterOf, isQuarter, previousQuarter, quarterRange } from '../calendar/quarter';
import { ClockService } from '../common/clock.service';
import { LockService } from '../common/lock.service';
import type { DispatchSuggester, DispatchSuggestion } from '../common/ports';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { delimitedList } from '../common/transformers';
import { Ticket } from '../tickets/ticket.entity';
import { writeTicketTopics } from '../tickets/ticket-topics';
import { TicketTopics } from '../tickets/ticket-topics.entity';
import { findEmerging, UnmatchedDoc } from './emerging';
import { buildRows, TicketFacts, TopicAccumulator, TopicInput, toCsv } from './report';
import { topicModel, TaxonomyTopic, TopicModel } from './topic-model';
import { TopicReport, TopicRow } from './topic-report.entity';

const CHUNK = 5000;
/** Tickets tagged between two turns of the event loop (so database round trips and HTTP requests progress). */
const YIELD_EVERY = 500;
const LOCK_TTL_MS = 60 * 60_000;

export interface ReportView {
  quarter: string;
  ticketCount: number;
  generatedAt: string | null;
  status: 'running' | 'done' | 'failed';
  progress: number;
  topics: TopicRow[];
}

interface Row extends TicketFacts {
  content: string;
  /** the stored list as written (",a,b,"), null when the ticket has no `ticket_topics` row (only read for this quarter) */
  storedTopics: string | null;
}

/** A ticket whose topic list changes in this run; `had`: it had a list (a `ticket_topics` row) before. */
interface TopicChange {
  id: number;
  topics: string[];
  had: boolean;
}

/** The quarterly hot-topic pipeline: tag → aggregate → emerging clusters → stored report. Also the dispatch suggester. */
@Injectable()
export class TopicsService implements DispatchSuggester, OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(TopicsService.name);
  private readonly model: TopicModel = topicModel();
  private task?: { stop: () => void };
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    @InjectRepository(Ticket) private readonly tickets: Repository<Ticket>,
    @InjectRepository(TopicReport) private readonly reports: Repository<TopicReport>,
    private readonly lock: LockService,
    private readonly clock: ClockService,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  // ---- DispatchSuggester -------------------------------------------------------------------
  suggest(content: string): DispatchSuggestion {
    return this.model.suggest(content);
  }

  tag(content: string): string[] {
    return this.model.tag(content);
  }

  taxonomy(): TaxonomyTopic[] {
    return this.model.topics;
  }

  // ---- reading reports --------------------------------------------------------------------
  private checkQuarter(q: string): void {
    if (!isQuarter(q)) throw new BadRequestException([`quarter must look like 2026Q3 (got "${q}")`]);
  }

  async report(quarter: string): Promise<ReportView> {
    this.checkQuarter(quarter);
    const r = await this.reports.findOne({ where: { quarter } });
    if (!r) throw new NotFoundException(`no topic report for ${quarter}`);
    return {
      quarter: r.quarter,
      ticketCount: r.ticketCount,
      generatedAt: r.generatedAt ? r.generatedAt.toISOString() : null,
      status: r.status,
      progress: r.progress,
      topics: r.topics ?? [],
    };
  }

  async csv(quarter: string): Promise<string> {
    const r = await this.report(quarter);
    return toCsv(r.quarter, r.topics);
  }

  // ---- running ----------------------------------------------------------------------------
  /**
   * Starts a run in the background (once across instances) and returns the report row in state `running`.
   * 409 when a run of that quarter is already going. `wait` resolves only when the run is done.
   */
  async start(quarter: string, wait = false): Promise<ReportView> {
    this.checkQuarter(quarter);
    const name = `topics:run:${quarter}`;
    if (this.running.has(quarter) || !(await this.lock.acquire(name, LOCK_TTL_MS))) {
      throw new ConflictException(`a topic run for ${quarter} is already in progress`);
    }
    try {
      await this.markRunning(quarter);
    } catch (e) {
      await this.lock.release(name).catch(() => undefined);
      throw e;
    }
    const p = this.execute(quarter)
      .catch(async (e: Error) => {
        this.log.error(`topic run ${quarter} failed: ${e.message}`);
        await this.reports.update({ quarter }, { status: 'failed', error: e.message.slice(0, 1000) }).catch(() => undefined);
      })
      .finally(() => {
        this.running.delete(quarter);
        return this.lock.release(name).catch(() => undefined);
      });
    this.running.set(quarter, p);
    if (wait) await p;
    return this.report(quarter);
  }

  /** Resolves when the current run of `quarter` (if any) in this process is over (tests, shutdown). */
  async idle(quarter?: string): Promise<void> {
    const ps = quarter ? [this.running.get(quarter)] : [...this.running.values()];
    await Promise.all(ps.filter(Boolean));
  }

  private async markRunning(quarter: string): Promise<void> {
    const now = this.clock.now();
    const have = await this.reports.findOne({ where: { quarter } });
    if (have) await this.reports.update({ quarter }, { status: 'running', progress: 0, startedAt: now, error: null });
    else await this.reports.insert({ quarter, status: 'running', progress: 0, ticketCount: 0, startedAt: now, generatedAt: null, topics: [], error: null });
  }

  private async count(quarter: string): Promise<number> {
    return this.tickets.createQueryBuilder('t').where('t.quarter = :q', { q: quarter }).getCount();
  }

  /**
   * A quarter's tickets in id windows of CHUNK ids (`quarter = ? AND id >= ? AND id < ?`, so at most CHUNK rows in
   * memory); the next window is read while this one is tagged. Windows rather than `id > last … LIMIT`: MariaDB
   * answers that keyset query with a `ref` on `quarter` and skips the earlier ids of the quarter one by one (quadratic
   * over a run), while a bounded id window is a primary-key range on MariaDB and an (quarter, id) range on SQLite.
   * Tickets get ids in arrival order, so a quarter's ids are nearly contiguous; a scattered quarter costs its id span.
   */
  private async *scan(quarter: string, withTopics: boolean): AsyncGenerator<Row[]> {
    const cols = ['id', 'content', 'callerPhone', 'street', 'departmentCode', 'status', 'satisfaction', 'repeatOf', 'reopenCount', 'dueAt', 'repliedAt', 'closedAt'];
    const span = await this.tickets
      .createQueryBuilder('t')
      .select('MIN(t.id)', 'lo')
      .addSelect('MAX(t.id)', 'hi')
      .where('t.quarter = :q', { q: quarter })
      .getRawOne<{ lo: number | string | null; hi: number | string | null }>();
    if (span?.lo == null || span.hi == null) return;
    const hi = Number(span.hi);
    const read = async (from: number): Promise<Row[]> => {
      const qb = this.tickets
        .createQueryBuilder('t')
        .select(cols.map((c) => `t.${c}`))
        .where('t.quarter = :q AND t.id >= :from AND t.id < :to', { q: quarter, from, to: from + CHUNK })
        .orderBy('t.id', 'ASC');
      if (withTopics) qb.leftJoin(TicketTopics, 'tt', 'tt.ticketId = t.id').addSelect('tt.topics', 't_topics');
      const raw = await qb.getRawMany<Record<string, unknown>>();
      return raw.map((r) => rowOf(r));
    };
    // a prefetched window that fails while the consumer has stopped (its own error) must not be an unhandled rejection
    const prefetch = (from: number) => {
      const p = read(from);
      p.catch(() => undefined);
      return p;
    };
    let from = Number(span.lo);
    let next = prefetch(from);
    while (from <= hi) {
      const rows = await next;
      from += CHUNK;
      if (from <= hi) next = prefetch(from);
      if (rows.length) yield rows;
    }
  }

  /**
   * Writes the changed topic lists of a chunk (rows of `ticket_topics`: delete + multi-row insert) in ONE transaction,
   * so a chunk costs one commit (one redo-log flush) and its tickets change together; a re-run rewrites them all.
   */
  private async writeTopics(changes: TopicChange[]): Promise<void> {
    if (!changes.length) return;
    const had = new Set(changes.filter((c) => c.had).map((c) => c.id));
    await this.tickets.manager.transaction((m) =>
      writeTicketTopics(
        m,
        changes.map((c) => [c.id, c.topics]),
        (id) => had.has(id),
      ),
    );
  }

  private async progress(quarter: string, pct: number): Promise<void> {
    await this.reports.update({ quarter }, { progress: Math.max(0, Math.min(99, Math.round(pct))) });
  }

  /** The run itself: previous quarter (read only, for growth), then this quarter (tag + write), then the report. */
  private async execute(quarter: string): Promise<void> {
    const t0 = Date.now();
    const prevQ = previousQuarter(quarter);
    const total = await this.count(quarter);
    const prevTotal = await this.count(prevQ);
    const work = Math.max(1, total + prevTotal * 0.3);
    const keys = this.model.topics;
    const prevCounts = new Array<number>(keys.length).fill(0);
    const prevDocs: UnmatchedDoc[] = [];
    let done = 0;
    for await (const rows of this.scan(prevQ, false)) {
      for (const r of rows) {
        const a = this.model.analyse(r.content);
        for (const t of a.topics) prevCounts[t]++;
        for (const tokens of a.unmatchedTokens) prevDocs.push({ ticketId: r.id, tokens });
      }
      done += rows.length * 0.3;
      await this.progress(quarter, (100 * done) / work);
      await yieldToIo();
    }

    const now = this.clock.now();
    const accs = keys.map(() => new TopicAccumulator());
    const curDocs: UnmatchedDoc[] = [];
    /** facts and taxonomy topics of tickets with unmatched clauses (candidates for emerging clusters) */
    const candidates = new Map<number, { facts: TicketFacts; topics: string[] }>();
    const streets = new Set<string>();
    let ticketCount = 0;
    const timing = { read: 0, tag: 0, write: 0 };
    let pending: Promise<void> = Promise.resolve();
    let mark = Date.now();
    for await (const rows of this.scan(quarter, true)) {
      timing.read += Date.now() - mark;
      mark = Date.now();
      const changes: TopicChange[] = [];
      let n = 0;
      for (const r of rows) {
        // the previous window's write is a chain of round trips (BEGIN, DELETE, INSERT, COMMIT, progress): let it move on
        if (++n % YIELD_EVERY === 0) await yieldToIo();
        ticketCount++;
        if (r.street) streets.add(r.street);
        const a = this.model.analyse(r.content);
        for (const t of a.topics) accs[t].add(r, now);
        const tagged = a.topics.length === 1 ? [keys[a.topics[0]].key] : a.topics.map((t) => keys[t].key).sort();
        if (a.unmatched.length) {
          for (const tokens of a.unmatchedTokens) curDocs.push({ ticketId: r.id, tokens });
          candidates.set(r.id, { facts: factsOf(r), topics: tagged });
        }
        // compared as stored text: lists are written sorted, so an unchanged ticket costs no write
        if ((r.storedTopics ?? '') !== delimitedList.to(tagged)) changes.push({ id: r.id, topics: tagged, had: r.storedTopics !== null });
      }
      timing.tag += Date.now() - mark;
      mark = Date.now();
      // One chunk's writes in flight while the next chunk is tagged (bounded: at most one pending).
      await pending;
      timing.write += Date.now() - mark;
      mark = Date.now();
      done += rows.length;
      const pct = (100 * done) / work;
      pending = this.writeTopics(changes).then(() => this.progress(quarter, pct));
      pending.catch(() => undefined); // awaited above or below; never an unhandled rejection meanwhile
      await yieldToIo();
    }
    mark = Date.now();
    await pending;
    timing.write += Date.now() - mark;

    const minSize = Math.max(5, Math.ceil(ticketCount * 0.004));
    const clusters = findEmerging(curDocs, prevDocs, {
      minSize,
      minGrowth: 0.2,
      maxClusters: 5,
      isTaxonomy: (words) => this.model.resemblesTaxonomy(words),
    });
    const inputs: TopicInput[] = keys.map((k, i) => ({ key: k.key, label: k.label, kind: 'taxonomy', keywords: k.keywords.slice(0, 8), acc: accs[i], previousCount: prevCounts[i] }));
    const emergingWrites: TopicChange[] = [];
    for (const c of clusters) {
      const acc = new TopicAccumulator();
      for (const id of c.ticketIds) {
        const cand = candidates.get(id);
        if (!cand) continue;
        acc.add(cand.facts, now);
        const topics = [...cand.topics, c.key];
        if (topics.join(',').length <= 250) emergingWrites.push({ id, topics, had: cand.topics.length > 0 });
      }
      inputs.push({ key: c.key, label: c.label, kind: 'emerging', keywords: c.keywords, acc, previousCount: c.previousCount });
    }
    await this.writeTopics(emergingWrites);
    const rows = buildRows(inputs, ticketCount, streets.size);
    // The one atomic swap: the finished report replaces the earlier one in a single row update.
    await this.reports.manager.transaction(async (em) => {
      await em.update(TopicReport, { quarter }, { status: 'done', progress: 100, ticketCount, generatedAt: this.clock.now(), topics: rows, error: null });
    });
    this.log.log(`topic run ${quarter}: ${ticketCount} tickets, ${rows.length} topics (${clusters.length} emerging) in ${Date.now() - t0} ms (read wait ${timing.read}, tag ${timing.tag}, write ${timing.write} ms)`);
  }

  // ---- schedule ---------------------------------------------------------------------------
  onApplicationBootstrap(): void {
    if (!this.cfg.jobsEnabled) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cron = require('node-cron') as { schedule: (e: string, f: () => void, o: { timezone: string }) => { stop: () => void } };
    this.task = cron.schedule(this.cfg.topicsCron, () => void this.runScheduled(), { timezone: 'Asia/Shanghai' });
    setTimeout(() => void this.runScheduled(), 2000).unref();
  }

  onModuleDestroy(): void {
    this.task?.stop();
  }

  /**
   * Cron and start-up catch-up: the quarter that just ended, if it has tickets and no finished report generated
   * after it ended. Once across instances (lock per quarter); a failed or interrupted run is retried next time.
   */
  async runScheduled(): Promise<boolean> {
    const q = previousQuarter(quarterOf(this.clock.now()));
    try {
      const have = await this.reports.findOne({ where: { quarter: q } });
      const ended = quarterRange(q).to;
      if (have?.status === 'done' && have.generatedAt && have.generatedAt >= ended) return false;
      if (have?.status === 'running' && this.running.has(q)) return false;
      if (!(await this.count(q))) return false;
      await this.start(q, true);
      return true;
    } catch (e) {
      if (!(e instanceof ConflictException)) this.log.warn(`scheduled topic run ${q}: ${(e as Error).message}`);
      return false;
    }
  }
}

/**
 * Lets waiting I/O (HTTP requests such as the progress poll) in between chunks: on SQLite every query of the run
 * resolves without a trip through the event loop, so without it the server would not answer until the run is over.
 */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

const date = (v: unknown): Date | null => (v == null ? null : v instanceof Date ? v : new Date(String(v).includes('T') || String(v).endsWith('Z') ? String(v) : `${String(v).replace(' ', 'T')}Z`));

/** A raw row (aliases t_<column>) as typed fields. */
function rowOf(r: Record<string, unknown>): Row {
  return {
    id: Number(r.t_id),
    content: String(r.t_content ?? ''),
    callerPhone: String(r.t_callerPhone ?? ''),
    street: (r.t_street as string | null) ?? null,
    departmentCode: (r.t_departmentCode as string | null) ?? null,
    status: String(r.t_status),
    satisfaction: (r.t_satisfaction as string | null) ?? null,
    repeatOf: r.t_repeatOf == null ? null : Number(r.t_repeatOf),
    reopenCount: Number(r.t_reopenCount ?? 0),
    dueAt: date(r.t_dueAt),
    repliedAt: date(r.t_repliedAt),
    closedAt: date(r.t_closedAt),
    storedTopics: r.t_topics == null ? null : String(r.t_topics),
  };
}

function factsOf(r: Row): TicketFacts {
  return {
    id: r.id,
    callerPhone: r.callerPhone,
    street: r.street,
    departmentCode: r.departmentCode,
    status: r.status,
    satisfaction: r.satisfaction,
    repeatOf: r.repeatOf,
    reopenCount: r.reopenCount,
    dueAt: r.dueAt,
    repliedAt: r.repliedAt,
    closedAt: r.closedAt,
  };
}
