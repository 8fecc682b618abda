import { Inject, Injectable, Logger, UnsupportedMediaTypeException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { StringDecoder } from 'node:string_decoder';
import { DataSource, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { AuthUser } from '../auth/decorators';
import { quarterOf } from '../calendar/quarter';
import { ClockService } from '../common/clock.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DepartmentsService } from '../departments/departments.service';
import { hasReplacementChar } from '../common/body-checks';
import { MetricsService } from '../metrics/metrics.service';
import { CsvParser, NdjsonParser, ParsedRecord, RecordParser } from './import-parsers';
import { CHANNELS, Channel, SATISFACTIONS, Satisfaction, Ticket, TICKET_STATUSES, TicketStatus } from './ticket.entity';
import { CONTENT_MAX, CONTENT_MIN, normalizePhone, REPEAT_WINDOW_DAYS, RepeatCandidate, repeatRoot } from './ticket-rules';
import { writeTicketTopics } from './ticket-topics';
import { TicketsService } from './tickets.service';

export type ImportFormat = 'csv' | 'ndjson';

export interface ImportResult {
  received: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  errors: Array<{ line: number; message: string }>;
  durationMs: number;
  /** True when the file had more rows than IMPORT_MAX_ROWS; the rest was not read. */
  truncated?: boolean;
}

type Row = Omit<Ticket, 'id' | 'createdAt' | 'updatedAt'>;

const BATCH = 1000;
const MAX_RECORD_CHARS = 64 * 1024;
const MAX_ERRORS = 100;
const YIELD_EVERY = 32;
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const TICKET_NO_RE = /^[A-Za-z0-9_-]{1,40}$/;

class RowError extends Error {}

/** ISO-8601 date/time; without an offset it is Asia/Shanghai local time. */
export function parseTime(v: unknown, field: string): Date | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new RowError(`${field} must be an ISO-8601 date`);
  const s = v.trim();
  const m = ISO_RE.exec(s);
  if (!m) throw new RowError(`${field} must be an ISO-8601 date (got "${s.slice(0, 40)}")`);
  const [, y, mo, d, h = '00', mi = '00', sec = '00', zone] = m;
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > new Date(Date.UTC(+y, +mo, 0)).getUTCDate() || +h > 23 || +mi > 59 || +sec > 59) {
    throw new RowError(`${field} is not a real date (got "${s.slice(0, 40)}")`);
  }
  const local = `${y}-${mo}-${d}T${h}:${mi}:${sec}`;
  const offset = !zone ? '+08:00' : zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const frac = /\.(\d{1,3})/.exec(s.slice(10))?.[1];
  const t = Date.parse(`${local}${frac ? `.${frac.padEnd(3, '0')}` : ''}${offset}`);
  if (Number.isNaN(t)) throw new RowError(`${field} must be an ISO-8601 date`);
  return new Date(t);
}

/** Length in code points (what Array.from(s).length answers) without allocating an array per field. */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0 && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800) n--;
  }
  return n;
}

function str(v: unknown, field: string, max: number): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' && typeof v !== 'number') throw new RowError(`${field} must be text`);
  const s = String(v).trim();
  if (!s) return null;
  if (s.length > max && codePoints(s) > max) throw new RowError(`${field} longer than ${max} characters`);
  return s;
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[], def: T | null): T | null {
  const s = str(v, field, 40);
  if (s === null) return def;
  if (!(allowed as readonly string[]).includes(s)) throw new RowError(`${field} must be one of ${allowed.join(', ')} (got "${s}")`);
  return s as T;
}

/**
 * Streaming import of hotline work orders (CSV or NDJSON), bounded memory: rows are parsed as they arrive,
 * validated one by one and written in batches of 1000 (multi-row INSERT, one transaction per batch),
 * idempotent by ticketNo. Batches already committed stay when the request is interrupted.
 */
@Injectable()
export class TicketImportService {
  private readonly log = new Logger(TicketImportService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly clock: ClockService,
    private readonly departments: DepartmentsService,
    private readonly metrics: MetricsService,
    private readonly tickets: TicketsService,
  ) {}

  /** text/csv or application/x-ndjson (also application/ndjson, application/jsonl); anything else → 415. */
  formatOf(contentType: string | undefined): ImportFormat {
    const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (ct === 'text/csv' || ct === 'application/csv') return 'csv';
    if (ct === 'application/x-ndjson' || ct === 'application/ndjson' || ct === 'application/jsonl' || ct === 'application/x-jsonlines') return 'ndjson';
    throw new UnsupportedMediaTypeException('import takes text/csv or application/x-ndjson');
  }

  /** One row → the values to insert, or a RowError naming the problem. */
  normalize(v: Record<string, unknown>): Row {
    const ticketNo = str(v.ticketNo, 'ticketNo', 40);
    if (!ticketNo) throw new RowError('ticketNo is required (imports are idempotent by ticketNo)');
    if (!TICKET_NO_RE.test(ticketNo)) throw new RowError('ticketNo must be 1–40 letters, digits, - or _');
    const receivedAt = parseTime(v.receivedAt, 'receivedAt');
    if (!receivedAt) throw new RowError('receivedAt is required');
    const content = str(v.content, 'content', CONTENT_MAX);
    if (!content) throw new RowError('content is required');
    if (codePoints(content) < CONTENT_MIN) throw new RowError(`content shorter than ${CONTENT_MIN} characters`);
    if (v.callerPhone === undefined || v.callerPhone === null || v.callerPhone === '') throw new RowError('callerPhone is required');
    const callerPhone = normalizePhone(v.callerPhone);
    if (!callerPhone) throw new RowError('callerPhone must be an 11-digit mobile number or a landline number');
    const channel = oneOf<Channel>(v.channel, 'channel', CHANNELS, 'phone')!;
    const status = oneOf<TicketStatus>(v.status, 'status', TICKET_STATUSES, 'received')!;
    const satisfaction = oneOf<Satisfaction>(v.satisfaction, 'satisfaction', SATISFACTIONS, null);
    const streetIn = str(v.street, 'street', 32);
    const street = streetIn ? this.departments.resolveStreet(streetIn) : null;
    if (streetIn && !street) throw new RowError(`street: unknown street "${streetIn}"`);
    const deptIn = str(v.departmentCode, 'departmentCode', 64);
    const departmentCode = deptIn ? this.departments.resolveUnit(deptIn) : null;
    if (deptIn && !departmentCode) throw new RowError(`departmentCode: unknown department "${deptIn}"`);
    const repliedAt = parseTime(v.repliedAt, 'repliedAt');
    const firstDispatchedAt = parseTime(v.firstDispatchedAt, 'firstDispatchedAt');
    const closedAt = parseTime(v.closedAt, 'closedAt');
    let topics: string[] = [];
    if (Array.isArray(v.topics)) topics = v.topics.filter((x): x is string => typeof x === 'string' && /^[a-z0-9_:-]{1,64}$/.test(x));
    else if (typeof v.topics === 'string') topics = v.topics.split(/[,;|]/).map((x) => x.trim()).filter((x) => /^[a-z0-9_:-]{1,64}$/.test(x));
    if (topics.join(',').length > 250) topics = [];
    const lod = v.leaderOnDuty;
    const leaderOnDuty = lod === true || lod === 1 || lod === 'true' || lod === '1';
    const since = status === 'replied' ? (repliedAt ?? receivedAt) : status === 'dispatched' || status === 'in_progress' ? (firstDispatchedAt ?? receivedAt) : receivedAt;
    return {
      ticketNo,
      receivedAt,
      quarter: quarterOf(receivedAt),
      channel,
      callerName: str(v.callerName, 'callerName', 64),
      callerPhone,
      street: street ?? null,
      community: str(v.community, 'community', 64),
      address: str(v.address, 'address', 255),
      content,
      category: str(v.category, 'category', 64),
      departmentCode: departmentCode ?? null,
      suggestedDepartmentCode: null,
      status,
      reply: str(v.reply, 'reply', 4000),
      repliedAt,
      firstDispatchedAt,
      closedAt: status === 'closed' ? (closedAt ?? repliedAt ?? null) : null,
      satisfaction,
      leaderOnDuty,
      dutyLeaderId: null,
      topics,
      repeatOf: null,
      repeatCount: 0,
      reopenCount: 0,
      dueAt: this.tickets.deadlines.dueAt(status, since),
    };
  }

  /** Reads the stream to its end (or to IMPORT_MAX_ROWS rows) and answers the counts. */
  async import(body: AsyncIterable<Buffer | string>, format: ImportFormat, actor?: Pick<AuthUser, 'id'>): Promise<ImportResult> {
    const started = Date.now();
    this.metrics.imports.inc();
    const res: ImportResult = { received: 0, inserted: 0, duplicates: 0, rejected: 0, errors: [], durationMs: 0 };
    const parser: RecordParser = format === 'csv' ? new CsvParser(MAX_RECORD_CHARS) : new NdjsonParser(MAX_RECORD_CHARS);
    const decoder = new StringDecoder('utf8');
    const max = this.cfg.importMaxRows;
    let batch: Array<{ line: number; row: Row }> = [];
    let first = true;
    const out: ParsedRecord[] = [];
    let pending: Promise<void> = Promise.resolve();

    const reject = (line: number, message: string) => {
      res.rejected++;
      if (res.errors.length < MAX_ERRORS) res.errors.push({ line, message });
    };
    /** Returns false once the row limit is reached. */
    let sinceYield = 0;
    const take = async (): Promise<boolean> => {
      for (const r of out) {
        if (res.received >= max) {
          res.truncated = true;
          if (res.errors.length < MAX_ERRORS) res.errors.push({ line: r.line, message: `row limit ${max} reached (IMPORT_MAX_ROWS); the rest of the file was not read` });
          out.length = 0;
          return false;
        }
        res.received++;
        if (r.error) {
          reject(r.line, r.error);
          continue;
        }
        // Bytes that are not UTF-8 decode to U+FFFD: the row is refused rather than stored garbled.
        if (hasReplacementChar(r.values)) {
          reject(r.line, 'not valid UTF-8 (bytes that do not decode; U+FFFD is refused too); the row was not stored');
          continue;
        }
        try {
          batch.push({ line: r.line, row: this.normalize(r.values!) });
        } catch (e) {
          if (!(e instanceof RowError)) throw e;
          reject(r.line, e.message);
        }
        // The database round trips of the batch in flight are the critical path: let their answers in every few rows
        // instead of after a whole network chunk (~160 rows, several ms of validation).
        if (++sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          await new Promise<void>((r) => setImmediate(r));
        }
        if (batch.length >= BATCH) {
          const b = batch;
          batch = [];
          // One batch in flight while the next one is parsed.
          await pending;
          pending = this.flush(b, res);
          pending.catch(() => undefined); // handled where it is awaited; never an unhandled rejection meanwhile
        }
      }
      out.length = 0;
      return true;
    };

    let open = true;
    try {
      for await (const chunk of body) {
        // Past the row limit the rest is drained unread (breaking out would destroy the request and lose the answer).
        if (!open) continue;
        let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
        if (first && text) {
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
          first = false;
        }
        parser.push(text, out);
        if (!(await take())) open = false;
      }
      if (open) {
        parser.push(decoder.end(), out);
        parser.end(out);
        await take();
      }
      await pending;
      if (batch.length) await this.flush(batch, res);
      batch = [];
    } catch (e) {
      // The client went away (or the database failed): keep what is committed, write what was fully received.
      await pending.catch(() => undefined);
      if (batch.length) await this.flush(batch, res).catch(() => undefined);
      this.log.warn(`ticket import interrupted after ${res.received} rows (${res.inserted} inserted): ${(e as Error).message}`);
      throw e;
    } finally {
      this.metrics.importRows.inc({ result: 'inserted' }, res.inserted);
      this.metrics.importRows.inc({ result: 'duplicate' }, res.duplicates);
      this.metrics.importRows.inc({ result: 'rejected' }, res.rejected);
    }
    res.durationMs = Date.now() - started;
    this.log.log(`ticket import (${format}) by user ${actor?.id ?? '-'}: received ${res.received}, inserted ${res.inserted}, duplicates ${res.duplicates}, rejected ${res.rejected} in ${res.durationMs} ms`);
    return res;
  }

  private columns?: ColumnMetadata[];

  /**
   * A multi-row INSERT with positional parameters. TypeORM's InsertQueryBuilder spends ~0.5 s building 1000 rows
   * (named-parameter rewriting), so the statement is built here from the entity metadata and the driver's own
   * value conversion (dates, booleans) keeps the stored format identical. Topics live in `ticket_topics` (writeBatch).
   */
  private insertSql(rows: Row[]): { sql: string; params: unknown[] } {
    const meta = this.ds.getMetadata(Ticket);
    this.columns ??= meta.columns.filter((c) => !c.isGenerated && !c.isVirtualProperty);
    const cols = this.columns;
    const driver = this.ds.driver;
    const now = this.clock.now();
    const params: unknown[] = [];
    const tuple = `(${cols.map(() => '?').join(', ')})`;
    for (const r of rows) {
      for (const c of cols) {
        const v = c.isCreateDate || c.isUpdateDate ? now : (r as Record<string, unknown>)[c.propertyName];
        params.push(driver.preparePersistentValue(v ?? null, c));
      }
    }
    const mysql = this.ds.options.type === 'mysql' || this.ds.options.type === 'mariadb';
    const head = `${mysql ? 'INSERT IGNORE' : 'INSERT OR IGNORE'} INTO ${driver.escape(meta.tableName)} (${cols.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES `;
    return { sql: head + new Array(rows.length).fill(tuple).join(', '), params };
  }

  /** One batch: drop numbers repeated inside the batch, insert the rest and link its repeat calls in one transaction. */
  private async flush(batch: Array<{ line: number; row: Row }>, res: ImportResult): Promise<void> {
    const fresh = new Map<string, Row>();
    for (const { row } of batch) {
      if (fresh.has(row.ticketNo)) res.duplicates++;
      else fresh.set(row.ticketNo, row);
    }
    const rows = [...fresh.values()];
    // One multi-row INSERT … IGNORE per batch, in its own transaction: numbers already stored (an earlier batch,
    // an earlier import, a concurrent one) are skipped by the unique index and counted as duplicates.
    for (let attempt = 1; ; attempt++) {
      const qr = this.ds.createQueryRunner();
      try {
        await qr.startTransaction();
        const affected = await this.writeBatch(qr, rows);
        await qr.commitTransaction();
        res.inserted += affected;
        res.duplicates += rows.length - affected;
        return;
      } catch (e) {
        if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
        if (!(e instanceof ConcurrentBatch) || attempt >= 3) throw e;
      } finally {
        await qr.release();
      }
    }
  }

  private col(prop: string): ColumnMetadata {
    return this.ds.getMetadata(Ticket).findColumnWithPropertyName(prop)!;
  }

  /**
   * Four statements per batch whatever its size: the candidate/duplicate read, the INSERT, and when rows of the batch
   * repeat each other, one read of the new roots' ids and one UPDATE (plus one per distinct increment of stored roots).
   */
  private async writeBatch(qr: QueryRunner, rows: Row[]): Promise<number> {
    const { stored, existing } = await this.repeatCandidates(qr, rows);
    const plan = planRepeats(rows, stored, existing);
    const expected = rows.length - rows.filter((r) => existing.has(r.ticketNo)).length;
    const { sql, params } = this.insertSql(rows);
    const r = await qr.query(sql, params, true);
    const affected = Number(r.affected ?? 0);
    // Rows that carry topics (rare): the ones this batch inserted get their ticket_topics row.
    const tagged = rows.filter((x) => x.topics.length && !existing.has(x.ticketNo));
    if (!plan.links && !tagged.length) return affected;
    // Another import inserted some of these numbers meanwhile: the plan is stale, do the batch again.
    if (affected !== expected) throw new ConcurrentBatch();
    await this.writeTopics(qr, tagged);
    if (plan.links) await this.applyRepeats(qr, plan);
    return affected;
  }

  /**
   * One read for the repeat rule: the stored tickets of the batch's phones received from 30 days before its earliest
   * row to its latest (the `(callerPhone, receivedAt)` index, at most REPEAT_BATCH_CANDIDATES rows), and which of the
   * batch's numbers are already stored (the unique index): those are duplicates, neither linked nor candidates.
   */
  private async repeatCandidates(qr: QueryRunner, rows: Row[]): Promise<{ stored: Map<string, StoredCandidate[]>; existing: Set<string> }> {
    const stored = new Map<string, StoredCandidate[]>();
    const existing = new Set<string>();
    if (!rows.length) return { stored, existing };
    const phones = [...new Set(rows.map((r) => r.callerPhone))];
    let min = Infinity;
    let max = -Infinity;
    for (const r of rows) {
      const t = r.receivedAt.getTime();
      if (t < min) min = t;
      if (t > max) max = t;
    }
    const d = this.ds.driver;
    const at = this.col('receivedAt');
    const c = (p: string) => d.escape(this.col(p).databaseName);
    const as = (p: string) => d.escape(p);
    const table = d.escape(this.ds.getMetadata(Ticket).tableName);
    const marks = (n: number) => new Array(n).fill('?').join(', ');
    const sql =
      `SELECT * FROM (SELECT ${c('id')} AS ${as('id')}, ${c('ticketNo')} AS ${as('ticketNo')}, ${c('callerPhone')} AS ${as('callerPhone')}, ` +
      `${c('content')} AS ${as('content')}, ${c('receivedAt')} AS ${as('receivedAt')}, ${c('repeatOf')} AS ${as('repeatOf')}, 0 AS ${as('dup')} FROM ${table} ` +
      `WHERE ${c('callerPhone')} IN (${marks(phones.length)}) AND ${c('receivedAt')} >= ? AND ${c('receivedAt')} <= ? ` +
      `ORDER BY ${c('receivedAt')}, ${c('id')} LIMIT ${REPEAT_BATCH_CANDIDATES}) ${as('c')} ` +
      `UNION ALL SELECT NULL, ${c('ticketNo')}, NULL, NULL, NULL, NULL, 1 FROM ${table} WHERE ${c('ticketNo')} IN (${marks(rows.length)})`;
    const params = [
      ...phones,
      d.preparePersistentValue(new Date(min - REPEAT_WINDOW_DAYS * 86_400_000), at),
      d.preparePersistentValue(new Date(max), at),
      ...rows.map((r) => r.ticketNo),
    ];
    const found = (await qr.query(sql, params)) as Array<Record<string, unknown>>;
    const list: StoredCandidate[] = [];
    for (const f of found) {
      if (Number(f.dup)) {
        existing.add(String(f.ticketNo));
        continue;
      }
      list.push({
        key: Number(f.id),
        root: f.repeatOf == null ? null : Number(f.repeatOf),
        content: String(f.content),
        receivedAt: d.prepareHydratedValue(f.receivedAt, at) as Date,
        ticketNo: String(f.ticketNo),
        phone: String(f.callerPhone),
      });
    }
    if (list.length >= REPEAT_BATCH_CANDIDATES) this.log.warn(`repeat-call candidates of one import batch capped at ${REPEAT_BATCH_CANDIDATES}`);
    // Oldest first (then by id), as the rule reads them.
    list.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || (a.key as number) - (b.key as number));
    for (const x of list) (stored.get(x.phone) ?? stored.set(x.phone, []).get(x.phone)!).push(x);
    return { stored, existing };
  }

  /** The topics rows of tickets this batch inserted (ids looked up by number). */
  private async writeTopics(qr: QueryRunner, rows: Row[]): Promise<void> {
    if (!rows.length) return;
    const d = this.ds.driver;
    const no = d.escape(this.col('ticketNo').databaseName);
    const found = (await qr.query(
      `SELECT ${d.escape(this.col('id').databaseName)} AS ${d.escape('id')}, ${no} AS ${d.escape('ticketNo')} FROM ${d.escape(this.ds.getMetadata(Ticket).tableName)} WHERE ${no} IN (${rows.map(() => '?').join(', ')})`,
      rows.map((x) => x.ticketNo),
    )) as Array<{ id: number | string; ticketNo: string }>;
    const byNo = new Map(rows.map((x) => [x.ticketNo, x.topics]));
    await writeTicketTopics(qr.manager, found.map((f) => [Number(f.id), byNo.get(String(f.ticketNo)) ?? []]), false);
  }

  /** After the INSERT: rows that repeat a row of the same batch get its id; stored roots count their new repeats. */
  private async applyRepeats(qr: QueryRunner, plan: RepeatPlan): Promise<void> {
    const d = this.ds.driver;
    const table = d.escape(this.ds.getMetadata(Ticket).tableName);
    const id = d.escape(this.col('id').databaseName);
    const no = d.escape(this.col('ticketNo').databaseName);
    const repeatOf = d.escape(this.col('repeatOf').databaseName);
    const repeatCount = d.escape(this.col('repeatCount').databaseName);
    const updatedAt = this.col('updatedAt');
    const marks = (n: number) => new Array(n).fill('?').join(', ');
    if (plan.batchRoots.size) {
      const roots = [...plan.batchRoots.keys()];
      const ids = (await qr.query(`SELECT ${id} AS ${d.escape('id')}, ${no} AS ${d.escape('ticketNo')} FROM ${table} WHERE ${no} IN (${marks(roots.length)})`, roots)) as Array<{
        id: number;
        ticketNo: string;
      }>;
      const idOf = new Map(ids.map((x) => [String(x.ticketNo), Number(x.id)]));
      const pairs: Array<[string, number]> = [];
      for (const [root, followers] of plan.batchRoots) for (const f of followers) pairs.push([f, idOf.get(root)!]);
      // One UPDATE for all of them: repeatOf = CASE ticketNo WHEN … THEN root id … END.
      await qr.query(
        `UPDATE ${table} SET ${repeatOf} = CASE ${no} ${pairs.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE ${no} IN (${marks(pairs.length)})`,
        [...pairs.flat(), ...pairs.map(([f]) => f)],
      );
    }
    // Stored roots grouped by how many repeats this batch adds to each.
    const byInc = new Map<number, number[]>();
    for (const [rootId, n] of plan.storedRoots) (byInc.get(n) ?? byInc.set(n, []).get(n)!).push(rootId);
    const now = d.preparePersistentValue(this.clock.now(), updatedAt);
    for (const [n, ids] of byInc) {
      await qr.query(`UPDATE ${table} SET ${repeatCount} = ${repeatCount} + ?, ${d.escape(updatedAt.databaseName)} = ? WHERE ${id} IN (${marks(ids.length)})`, [n, now, ...ids]);
    }
  }
}

/** Another import stored some of the batch's numbers between the check and the INSERT. */
class ConcurrentBatch extends Error {}

/** Bound on the stored tickets read for one batch (1000 rows) to find its repeat calls. */
const REPEAT_BATCH_CANDIDATES = 20_000;

interface StoredCandidate extends RepeatCandidate<number | Row> {
  ticketNo: string;
  phone: string;
}

interface RepeatPlan {
  /** true when at least one row of the batch is a repeat call */
  links: boolean;
  /** stored root id → repeats this batch adds */
  storedRoots: Map<number, number>;
  /** ticketNo of a root inserted by this batch → ticketNos of the batch rows that repeat it */
  batchRoots: Map<string, string[]>;
}

/**
 * The repeat rule (`repeatRoot`, as on create) for each new row of a batch, taken in receivedAt order (then file order):
 * its candidates are the stored tickets of its phone and the batch rows before it. Sets `repeatOf` (stored roots) and
 * `repeatCount` (batch roots) on the rows for the INSERT; what needs ids or stored rows is returned for afterwards.
 */
function planRepeats(rows: Row[], stored: Map<string, StoredCandidate[]>, existing: Set<string>): RepeatPlan {
  const plan: RepeatPlan = { links: false, storedRoots: new Map(), batchRoots: new Map() };
  for (const r of rows) {
    r.repeatOf = null;
    r.repeatCount = 0;
  }
  const fresh = rows.map((row, i) => ({ row, i })).filter(({ row }) => !existing.has(row.ticketNo));
  // Phones with a single new row and no stored ticket cannot repeat anything: skip them cheaply.
  const perPhone = new Map<string, number>();
  for (const { row } of fresh) perPhone.set(row.callerPhone, (perPhone.get(row.callerPhone) ?? 0) + 1);
  const order = fresh
    .filter(({ row }) => stored.has(row.callerPhone) || perPhone.get(row.callerPhone)! > 1)
    .sort((a, b) => a.row.receivedAt.getTime() - b.row.receivedAt.getTime() || a.i - b.i);
  const pools = new Map<string, RepeatCandidate<number | Row>[]>();
  for (const { row } of order) {
    let pool = pools.get(row.callerPhone);
    if (!pool) pools.set(row.callerPhone, (pool = [...(stored.get(row.callerPhone) ?? [])]));
    const root = repeatRoot(pool, row.content, row.receivedAt);
    if (root !== null) {
      plan.links = true;
      if (typeof root === 'number') {
        row.repeatOf = root;
        plan.storedRoots.set(root, (plan.storedRoots.get(root) ?? 0) + 1);
      } else {
        root.repeatCount++;
        (plan.batchRoots.get(root.ticketNo) ?? plan.batchRoots.set(root.ticketNo, []).get(root.ticketNo)!).push(row.ticketNo);
      }
    }
    // The row joins its phone's pool after the stored tickets received at the same time (it gets a higher id).
    const t = row.receivedAt.getTime();
    let k = pool.length;
    while (k > 0 && pool[k - 1].receivedAt.getTime() > t) k--;
    pool.splice(k, 0, { key: row, root, content: row.content, receivedAt: row.receivedAt });
  }
  return plan;
}
