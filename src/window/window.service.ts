import { BadRequestException, ConflictException, HttpException, HttpStatus, Inject, Injectable, Logger, NotFoundException, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { payloadProblem } from '../common/body-checks';
import { InjectRepository } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Brackets, QueryFailedError, Repository } from 'typeorm';
import type { AuthUser } from '../auth/decorators';
import { CalendarService } from '../calendar/calendar.service';
import { localDate, localMidnight } from '../calendar/quarter';
import { ClockService } from '../common/clock.service';
import { DomainEvents } from '../common/domain-events';
import { LockService } from '../common/lock.service';
import { maskName, maskPhone } from '../common/mask';
import type { Page } from '../common/pagination';
import { RateLimitService } from '../common/rate-limit.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DepartmentsService } from '../departments/departments.service';
import { WindowApplication, WindowApplicationHistory } from './application.entity';
import { BadRatingsQuery, CreateApplicationDto, ListApplicationsQuery, RateApplicationDto, StatsQuery, UpdateStatusDto, WatchDto } from './dto/window.dto';
import { QueryCodes } from './query-code';
import { receiptRoom, WindowEmitter } from './window-emitter';
import {
  allowedNext,
  ApplicationStatus,
  BAD_RATING_MAX,
  canTransition,
  isOverdue,
  maskFreeText,
  OPEN_STATUSES,
  parseRating,
  RATING_LABELS,
  SATISFIED_MIN,
  STATUS_LABELS,
  formatReceiptNo,
} from './window-rules';

/** Wrong codes for one receipt before it is locked, and how long the lock lasts. */
export const MAX_WRONG_CODES = 5;
export const LOCKOUT_MS = 15 * 60_000;
const OVERDUE_JOB_MS = 60_000;
const NOT_FOUND_MESSAGE = 'no application with this receipt number and query code';

export type AckCode = 'bad_request' | 'not_found' | 'rate_limited' | 'unavailable';
export type Ack<T extends object> = ({ ok: true } & T) | { ok: false; error: { code: AckCode; message: string; retryAfterMs?: number } };

/** A rule of the public side said no; REST turns it into 404/429, sockets into an ack error. */
export class WindowError extends Error {
  constructor(readonly code: AckCode, message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

/** What the service needs of a socket. */
export interface WindowClient {
  id: string;
  join(room: string): unknown;
}

export interface StaffApplication {
  id: number;
  receiptNo: string;
  matter: string;
  applicantName: string;
  applicantPhone: string;
  departmentCode: string;
  departmentName: string | null;
  status: ApplicationStatus;
  statusLabel: string;
  promisedDays: number;
  acceptedAt: string;
  dueAt: string;
  completedAt: string | null;
  overdue: boolean;
  rating: number | null;
}

export interface PublicHistoryEntry {
  status: ApplicationStatus;
  statusLabel: string;
  note: string | null;
  at: string;
}

export interface PublicApplication extends Omit<StaffApplication, 'id' | 'rating'> {
  rated: boolean;
  history: PublicHistoryEntry[];
}

export interface Satisfaction {
  ratings: number;
  average: number | null;
  /** (满意 + 非常满意) / ratings. */
  satisfiedRate: number | null;
  bad: number;
}

export interface BoardCounts {
  accepted: number;
  inProgress: number;
  completed: number;
  rejected: number;
  overdue: number;
  avgHandlingHours: number | null;
  satisfaction: Satisfaction;
}

export interface Board {
  date: string;
  generatedAt: string;
  totals: BoardCounts;
  departments: Array<{ code: string; name: string | null } & BoardCounts>;
}

const isDuplicate = (e: unknown) =>
  e instanceof QueryFailedError && /ER_DUP_ENTRY|SQLITE_CONSTRAINT|UNIQUE constraint|Duplicate entry/i.test(`${(e.driverError as { code?: string })?.code ?? ''} ${e.message}`);

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

function satisfaction(ratings: number[]): Satisfaction {
  if (!ratings.length) return { ratings: 0, average: null, satisfiedRate: null, bad: 0 };
  return {
    ratings: ratings.length,
    average: round(ratings.reduce((a, b) => a + b, 0) / ratings.length, 2),
    satisfiedRate: round(ratings.filter((r) => r >= SATISFIED_MIN).length / ratings.length, 4),
    bad: ratings.filter((r) => r <= BAD_RATING_MAX).length,
  };
}

/**
 * Every rule of single-window acceptance: receipt numbers, query codes and their lockout, the state machine
 * with history, due dates on the district calendar, overdue (job + at each read), the public views (masked),
 * the board, ratings (好差评) and their statistics. REST controllers and the `/window` gateway both call here.
 */
@Injectable()
export class WindowService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(WindowService.name);
  private readonly codes: QueryCodes;
  private job?: NodeJS.Timeout;
  private off?: () => void;

  constructor(
    @InjectRepository(WindowApplication) private readonly apps: Repository<WindowApplication>,
    @InjectRepository(WindowApplicationHistory) private readonly history: Repository<WindowApplicationHistory>,
    private readonly calendar: CalendarService,
    private readonly clock: ClockService,
    private readonly limits: RateLimitService,
    private readonly locks: LockService,
    private readonly events: DomainEvents,
    private readonly departments: DepartmentsService,
    private readonly emitter: WindowEmitter,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {
    this.codes = new QueryCodes(cfg.jwtSecret);
  }

  onModuleInit(): void {
    this.emitter.setBoardSource(() => this.board());
    this.off = this.events.on('application.changed', (e) => {
      this.emitter.toReceipt(e.receiptNo, 'application:status', { ...e, statusLabel: STATUS_LABELS[e.status as ApplicationStatus] ?? e.status });
      this.emitter.boardChanged();
    });
  }

  onApplicationBootstrap(): void {
    if (!this.cfg.jobsEnabled) return;
    const tick = () => void this.locks.runExclusive('window:overdue', OVERDUE_JOB_MS - 5000, () => this.markOverdue()).catch((e: Error) => this.log.warn(`overdue job: ${e.message}`));
    tick();
    this.job = setInterval(tick, OVERDUE_JOB_MS);
    this.job.unref?.();
  }

  onModuleDestroy(): void {
    if (this.job) clearInterval(this.job);
    this.off?.();
  }

  // ---------- clerks ----------

  async create(dto: CreateApplicationDto, user: AuthUser | undefined): Promise<StaffApplication & { queryCode: string }> {
    if (!this.departments.get(dto.departmentCode)) throw new BadRequestException([`departmentCode: unknown department "${dto.departmentCode}" (see GET /api/departments)`]);
    const now = this.clock.now();
    const day = localDate(now).replace(/-/g, '');
    const { code, salt, hash } = this.codes.generate();
    const dueAt = this.calendar.addWorkingDays(now, dto.promisedDays);
    let saved: WindowApplication | undefined;
    for (let attempt = 0; attempt < 30 && !saved; attempt++) {
      const max = await this.apps
        .createQueryBuilder('a')
        .select('MAX(a.seq)', 'm')
        .where('a.departmentCode = :d AND a.receiptDay = :day', { d: dto.departmentCode, day })
        .getRawOne<{ m: number | string | null }>();
      const seq = Number(max?.m ?? 0) + 1;
      const row = this.apps.create({
        receiptNo: formatReceiptNo(day, dto.departmentCode, seq),
        receiptDay: day,
        seq,
        matter: dto.matter.trim(),
        applicantName: dto.applicantName.trim(),
        applicantPhone: dto.applicantPhone.trim(),
        departmentCode: dto.departmentCode,
        status: 'accepted',
        promisedDays: dto.promisedDays,
        acceptedAt: now,
        dueAt,
        completedAt: null,
        finishedAt: null,
        overdue: false,
        queryCodeHash: hash,
        queryCodeSalt: salt,
        rating: null,
        ratingComment: null,
        ratedAt: null,
        createdById: user?.id ?? null,
        updatedAt: now,
      });
      try {
        saved = await this.apps.save(row);
      } catch (e) {
        if (!isDuplicate(e)) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
      }
    }
    if (!saved) throw new ConflictException('could not allocate a receipt number, try again');
    await this.history.save(this.history.create({ applicationId: saved.id, status: 'accepted', note: '窗口受理', at: now, actorId: user?.id ?? null, actorName: user?.username ?? null }));
    this.log.log(`application ${saved.receiptNo} accepted for ${saved.departmentCode}, due ${saved.dueAt.toISOString()}`);
    this.events.emit('application.changed', { receiptNo: saved.receiptNo, status: 'accepted', at: now.toISOString(), note: '窗口受理' });
    return { ...this.staffView(saved, now), queryCode: code };
  }

  async list(q: ListApplicationsQuery): Promise<Page<StaffApplication>> {
    const now = this.clock.now();
    const qb = this.apps.createQueryBuilder('a');
    if (q.status) qb.andWhere('a.status = :status', { status: q.status });
    if (q.departmentCode) qb.andWhere('a.departmentCode = :dep', { dep: q.departmentCode });
    if (q.overdue !== undefined) {
      const late = new Brackets((w) => w.where('a.overdue = :t', { t: true }).orWhere(new Brackets((x) => x.where('a.status IN (:...open)', { open: OPEN_STATUSES }).andWhere('a.dueAt < :now', { now }))));
      if (q.overdue) qb.andWhere(late);
      else qb.andWhere('a.overdue = :f', { f: false }).andWhere(new Brackets((x) => x.where('a.status NOT IN (:...open2)', { open2: OPEN_STATUSES }).orWhere('a.dueAt >= :now2', { now2: now })));
    }
    const [rows, total] = await qb
      .orderBy('a.acceptedAt', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .skip((q.page - 1) * q.pageSize)
      .take(q.pageSize)
      .getManyAndCount();
    return { items: rows.map((r) => this.staffView(r, now)), total, page: q.page, pageSize: q.pageSize };
  }

  async changeStatus(receiptNo: string, dto: UpdateStatusDto, user: AuthUser | undefined): Promise<StaffApplication> {
    const app = await this.apps.findOne({ where: { receiptNo } });
    if (!app) throw new NotFoundException(`no application ${receiptNo}`);
    const from = app.status;
    if (!canTransition(from, dto.status)) throw this.illegal(from, dto.status);
    const now = this.clock.now();
    const patch: Partial<WindowApplication> = { status: dto.status, updatedAt: now };
    if (dto.status === 'completed') patch.completedAt = now;
    if (dto.status === 'completed' || dto.status === 'rejected') {
      patch.finishedAt = now;
      patch.overdue = isOverdue({ ...app, finishedAt: now }, now);
    }
    // Conditional on the state we read, so two clerks at once cannot both move it.
    const res = await this.apps.createQueryBuilder().update(WindowApplication).set(patch).where('id = :id AND status = :from', { id: app.id, from }).execute();
    if (!res.affected) {
      const fresh = await this.apps.findOne({ where: { id: app.id } });
      throw this.illegal(fresh?.status ?? from, dto.status);
    }
    const note = dto.note?.trim() || null;
    await this.history.save(this.history.create({ applicationId: app.id, status: dto.status, note, at: now, actorId: user?.id ?? null, actorName: user?.username ?? null }));
    Object.assign(app, patch);
    this.log.log(`application ${app.receiptNo}: ${from} → ${dto.status}`);
    this.events.emit('application.changed', { receiptNo: app.receiptNo, status: dto.status, at: now.toISOString(), note: maskFreeText(note, app.applicantName) });
    return this.staffView(app, now);
  }

  private illegal(from: ApplicationStatus, to: string): ConflictException {
    const allowed = allowedNext(from);
    return new ConflictException({
      statusCode: 409,
      error: 'Conflict',
      message: `cannot change status from ${from} to ${to}; allowed next: ${allowed.length ? allowed.join(', ') : 'none (final state)'}`,
      status: from,
      allowed,
    });
  }

  /** Sets `overdue` on every open application past its due time; returns how many changed. Run by the job, callable by tests. */
  async markOverdue(): Promise<number> {
    const now = this.clock.now();
    const res = await this.apps
      .createQueryBuilder()
      .update(WindowApplication)
      .set({ overdue: true })
      .where('overdue = :f AND status IN (:...open) AND dueAt < :now', { f: false, open: OPEN_STATUSES, now })
      .execute();
    const n = res.affected ?? 0;
    if (n) {
      this.log.log(`overdue: ${n} application(s) marked`);
      this.emitter.boardChanged();
    }
    return n;
  }

  // ---------- applicants (public) ----------

  /**
   * Receipt + code → the row, else WindowError: not_found (unknown receipt and wrong code alike, after the same
   * work: one lookup and one hash compare) or rate_limited (the receipt is locked after MAX_WRONG_CODES wrong codes;
   * during the lock even the right code is refused).
   */
  async authenticate(receiptNo: string, code: string): Promise<WindowApplication> {
    const rn = String(receiptNo ?? '').slice(0, 64);
    const lockKey = `window:lock:${rn}`;
    const failKey = `window:fail:${rn}`;
    const lock = await this.limits.peek(lockKey);
    if (lock.count > 0) throw new WindowError('rate_limited', 'too many wrong codes for this receipt; try again later', lock.retryAfterMs);
    const row = (await this.apps.findOne({ where: { receiptNo: rn } })) ?? undefined;
    const ok = this.codes.verify(row ? { salt: row.queryCodeSalt, hash: row.queryCodeHash } : undefined, String(code ?? ''));
    if (!ok || !row) {
      const r = await this.limits.hit(failKey, MAX_WRONG_CODES, LOCKOUT_MS);
      if (r.count >= MAX_WRONG_CODES) {
        await this.limits.hit(lockKey, 0, LOCKOUT_MS);
        await this.limits.reset(failKey);
      }
      throw new WindowError('not_found', NOT_FOUND_MESSAGE);
    }
    await this.limits.reset(failKey);
    return row;
  }

  async lookup(receiptNo: string, code: string): Promise<PublicApplication> {
    const app = await this.rest(() => this.authenticate(receiptNo, code));
    return this.publicView(app);
  }

  async rate(receiptNo: string, code: string, dto: RateApplicationDto): Promise<{ receiptNo: string; rating: number; ratingLabel: string; ratedAt: string }> {
    const app = await this.rest(() => this.authenticate(receiptNo, code));
    if (app.status !== 'completed') throw new ConflictException(`only a completed application can be rated (status: ${app.status})`);
    const rating = parseRating(dto.rating);
    if (!rating) throw new BadRequestException(['rating must be 1–5 or one of ' + Object.values(RATING_LABELS).join(', ')]);
    const now = this.clock.now();
    const comment = maskFreeText(dto.comment?.trim() || null, app.applicantName);
    const res = await this.apps.createQueryBuilder().update(WindowApplication).set({ rating, ratingComment: comment, ratedAt: now }).where('id = :id AND rating IS NULL', { id: app.id }).execute();
    if (!res.affected) throw new ConflictException('this application has already been rated');
    this.log.log(`application ${app.receiptNo} rated ${rating}`);
    this.emitter.boardChanged();
    return { receiptNo: app.receiptNo, rating, ratingLabel: RATING_LABELS[rating], ratedAt: now.toISOString() };
  }

  /** `application:watch`: validate, check the code, join the receipt's room, answer the current state. Never throws. */
  async watch(client: WindowClient, body: unknown): Promise<Ack<{ application: PublicApplication }>> {
    try {
      const dto = await this.validate(WatchDto, body);
      const app = await this.authenticate(dto.receiptNo, dto.code);
      await client.join(receiptRoom(app.receiptNo));
      return { ok: true, application: await this.publicView(app) };
    } catch (e) {
      if (e instanceof WindowError) return { ok: false, error: { code: e.code, message: e.message, ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) } };
      this.log.warn(`application:watch failed: ${(e as Error)?.message ?? String(e)}`);
      return { ok: false, error: { code: 'unavailable', message: 'the request could not be completed; try again' } };
    }
  }

  private async validate<T extends object>(cls: new () => T, data: unknown): Promise<T> {
    if (data === null || typeof data !== 'object' || Array.isArray(data) || Object.getPrototypeOf(data) !== Object.prototype) {
      throw new WindowError('bad_request', 'payload must be a JSON object {receiptNo, code}');
    }
    const problem = payloadProblem(data);
    if (problem) throw new WindowError('bad_request', problem);
    const dto = plainToInstance(cls, data as Record<string, unknown>, { enableImplicitConversion: false });
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
    if (errors.length) {
      throw new WindowError('bad_request', errors.flatMap((e) => Object.values(e.constraints ?? {})).slice(0, 5).join('; ').slice(0, 300));
    }
    return dto;
  }

  private async rest<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof WindowError) {
        if (e.code === 'rate_limited') {
          throw new HttpException(
            { statusCode: 429, error: 'Too Many Requests', message: e.message, retryAfterSeconds: Math.ceil((e.retryAfterMs ?? LOCKOUT_MS) / 1000) },
            HttpStatus.TOO_MANY_REQUESTS,
          );
        }
        throw new NotFoundException(e.message);
      }
      throw e;
    }
  }

  // ---------- board and statistics ----------

  /** Today (Asia/Shanghai): accepted today, in progress now, completed / rejected today, overdue now, average handling hours and today's ratings, per department. */
  async board(): Promise<Board> {
    const now = this.clock.now();
    const date = localDate(now);
    const from = localMidnight(date);
    const to = new Date(from.getTime() + 86_400_000);
    const rows = await this.apps
      .createQueryBuilder('a')
      .select(['a.id', 'a.departmentCode', 'a.status', 'a.acceptedAt', 'a.dueAt', 'a.completedAt', 'a.finishedAt', 'a.overdue', 'a.rating', 'a.ratedAt'])
      .where('a.status IN (:...open)', { open: OPEN_STATUSES })
      .orWhere('(a.acceptedAt >= :from AND a.acceptedAt < :to)', { from, to })
      .orWhere('(a.finishedAt >= :from AND a.finishedAt < :to)', { from, to })
      .orWhere('(a.ratedAt >= :from AND a.ratedAt < :to)', { from, to })
      .getMany();
    const inDay = (d: Date | null) => !!d && d >= from && d < to;
    type Acc = { accepted: number; inProgress: number; completed: number; rejected: number; overdue: number; hours: number[]; ratings: number[] };
    const empty = (): Acc => ({ accepted: 0, inProgress: 0, completed: 0, rejected: 0, overdue: 0, hours: [], ratings: [] });
    const total = empty();
    const byDep = new Map<string, Acc>();
    for (const r of rows) {
      let d = byDep.get(r.departmentCode);
      if (!d) byDep.set(r.departmentCode, (d = empty()));
      for (const acc of [total, d]) {
        if (inDay(r.acceptedAt)) acc.accepted++;
        const open = OPEN_STATUSES.includes(r.status);
        if (open) acc.inProgress++;
        if (open && isOverdue(r, now)) acc.overdue++;
        if (r.status === 'completed' && inDay(r.completedAt)) {
          acc.completed++;
          acc.hours.push((r.completedAt!.getTime() - r.acceptedAt.getTime()) / 3_600_000);
        }
        if (r.status === 'rejected' && inDay(r.finishedAt)) acc.rejected++;
        if (r.rating !== null && inDay(r.ratedAt)) acc.ratings.push(r.rating);
      }
    }
    const counts = (a: Acc): BoardCounts => ({
      accepted: a.accepted,
      inProgress: a.inProgress,
      completed: a.completed,
      rejected: a.rejected,
      overdue: a.overdue,
      avgHandlingHours: a.hours.length ? round(a.hours.reduce((x, y) => x + y, 0) / a.hours.length, 2) : null,
      satisfaction: satisfaction(a.ratings),
    });
    return {
      date,
      generatedAt: now.toISOString(),
      totals: counts(total),
      departments: [...byDep.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([code, a]) => ({ code, name: this.departments.name(code) ?? null, ...counts(a) })),
    };
  }

  /** Ratings given in [from, to), per department: count, average (1–5), satisfied rate (≥ 4), bad (≤ 2), distribution. */
  async stats(q: StatsQuery) {
    const to = q.to ? this.parseBound(q.to) : this.clock.now();
    const from = q.from ? this.parseBound(q.from) : new Date(to.getTime() - 30 * 86_400_000);
    if (from >= to) throw new BadRequestException(['from must be before to']);
    const rows = await this.apps
      .createQueryBuilder('a')
      .select(['a.id', 'a.departmentCode', 'a.rating'])
      .where('a.rating IS NOT NULL AND a.ratedAt >= :from AND a.ratedAt < :to', { from, to })
      .getMany();
    const byDep = new Map<string, number[]>();
    for (const r of rows) byDep.set(r.departmentCode, [...(byDep.get(r.departmentCode) ?? []), r.rating!]);
    const dist = (rs: number[]) => Object.fromEntries([1, 2, 3, 4, 5].map((k) => [k, rs.filter((r) => r === k).length]));
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      scale: RATING_LABELS,
      totals: { ...satisfaction(rows.map((r) => r.rating!)), distribution: dist(rows.map((r) => r.rating!)) },
      departments: [...byDep.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([code, rs]) => ({ code, name: this.departments.name(code) ?? null, ...satisfaction(rs), distribution: dist(rs) })),
    };
  }

  private parseBound(s: string): Date {
    const d = /^\d{4}-\d{2}-\d{2}$/.test(s) ? localMidnight(s) : new Date(s);
    if (Number.isNaN(d.getTime())) throw new BadRequestException([`not a date: ${s}`]);
    return d;
  }

  /** Ratings of 2 or less (不满意, 非常不满意), newest first, for the department to follow up. Applicant masked. */
  async badRatings(q: BadRatingsQuery) {
    const qb = this.apps.createQueryBuilder('a').where('a.rating IS NOT NULL AND a.rating <= :bad', { bad: BAD_RATING_MAX });
    if (q.departmentCode) qb.andWhere('a.departmentCode = :dep', { dep: q.departmentCode });
    const [rows, total] = await qb
      .orderBy('a.ratedAt', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .skip((q.page - 1) * q.pageSize)
      .take(q.pageSize)
      .getManyAndCount();
    const now = this.clock.now();
    return {
      items: rows.map((r) => ({ ...this.staffView(r, now), ratingLabel: RATING_LABELS[r.rating as 1 | 2], comment: r.ratingComment, ratedAt: r.ratedAt?.toISOString() ?? null })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  // ---------- views ----------

  private staffView(a: WindowApplication, now: Date): StaffApplication {
    return {
      id: a.id,
      receiptNo: a.receiptNo,
      matter: a.matter,
      applicantName: maskName(a.applicantName) ?? '',
      applicantPhone: maskPhone(a.applicantPhone) ?? '',
      departmentCode: a.departmentCode,
      departmentName: this.departments.name(a.departmentCode) ?? null,
      status: a.status,
      statusLabel: STATUS_LABELS[a.status],
      promisedDays: a.promisedDays,
      acceptedAt: a.acceptedAt.toISOString(),
      dueAt: a.dueAt.toISOString(),
      completedAt: a.completedAt ? a.completedAt.toISOString() : null,
      overdue: isOverdue(a, now),
      rating: a.rating,
    };
  }

  private async publicView(a: WindowApplication): Promise<PublicApplication> {
    const hist = await this.history.find({ where: { applicationId: a.id }, order: { id: 'ASC' } });
    const { id: _id, rating, ...rest } = this.staffView(a, this.clock.now());
    return {
      ...rest,
      rated: rating !== null,
      history: hist.map((h) => ({ status: h.status, statusLabel: STATUS_LABELS[h.status], note: maskFreeText(h.note, a.applicantName), at: h.at.toISOString() })),
    };
  }
}
