import { BadRequestException, ConflictException, Inject, Injectable, Logger, NotFoundException, Optional } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomInt } from 'node:crypto';
import { Brackets, DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/decorators';
import { CalendarService } from '../calendar/calendar.service';
import { localDate, quarterOf, quarterRange } from '../calendar/quarter';
import { ClockService } from '../common/clock.service';
import { DomainEvents } from '../common/domain-events';
import { maskName, maskPhone } from '../common/mask';
import type { Page } from '../common/pagination';
import { DISPATCH_SUGGESTER, DUTY_LOOKUP, DispatchSuggester, DutyLookup } from '../common/ports';
import { DepartmentsService } from '../departments/departments.service';
import { ChangeStatusDto, CreateTicketDto, TicketListQuery } from './dto/ticket.dto';
import { Ticket, TicketHistory, TicketStatus } from './ticket.entity';
import { hasTopicSql, writeTicketTopics } from './ticket-topics';
import { Deadlines, loadDeadlineRules, REPEAT_CANDIDATES, REPEAT_WINDOW_DAYS, repeatRoot, TRANSITIONS } from './ticket-rules';

export interface TicketView {
  id: number;
  ticketNo: string;
  receivedAt: string;
  quarter: string;
  channel: string;
  callerName: string | null;
  callerPhone: string | null;
  street: string | null;
  community: string | null;
  address: string | null;
  content: string;
  category: string | null;
  departmentCode: string | null;
  suggestedDepartmentCode: string | null;
  status: TicketStatus;
  reply: string | null;
  repliedAt: string | null;
  firstDispatchedAt: string | null;
  closedAt: string | null;
  satisfaction: string | null;
  leaderOnDuty: boolean;
  dutyLeaderId: number | null;
  topics: string[];
  repeatOf: number | null;
  repeatCount: number;
  reopenCount: number;
  dueAt: string | null;
  overdue: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface RateRow {
  count: number;
  responded: number;
  responseRate: number | null;
  resolved: number;
  resolutionRate: number | null;
  rated: number;
  satisfied: number;
  satisfactionRate: number | null;
  overdue: number;
  repeat: number;
  leaderOnDuty: number;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
const rate = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10000) / 10000 : null);

function isUniqueViolation(e: unknown): boolean {
  const x = e as { code?: string; driverError?: { code?: string }; message?: string };
  const code = x?.driverError?.code ?? x?.code ?? '';
  return code === 'ER_DUP_ENTRY' || code.startsWith('SQLITE_CONSTRAINT') || /UNIQUE constraint failed|Duplicate entry/.test(x?.message ?? '');
}

/**
 * 12341 hotline tickets: create (with dispatch suggestion, duty leader, repeat-call link, deadline),
 * masked lists, audited unmasked reads, the state machine with history, and the 接诉即办 stats.
 */
@Injectable()
export class TicketsService {
  private readonly log = new Logger(TicketsService.name);
  readonly deadlines: Deadlines;

  constructor(
    @InjectRepository(Ticket) private readonly repo: Repository<Ticket>,
    @InjectRepository(TicketHistory) private readonly history: Repository<TicketHistory>,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly clock: ClockService,
    private readonly calendar: CalendarService,
    private readonly departments: DepartmentsService,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
    @Optional() @Inject(DISPATCH_SUGGESTER) private readonly suggester?: DispatchSuggester,
    @Optional() @Inject(DUTY_LOOKUP) private readonly dutyLookup?: DutyLookup,
  ) {
    this.deadlines = new Deadlines(loadDeadlineRules(), calendar);
  }

  // ---------------------------------------------------------------- create

  /** Logs one call. Public surface for other modules: create(dto, actor). */
  async create(dto: CreateTicketDto, actor: Pick<AuthUser, 'id'> | null): Promise<TicketView> {
    const street = dto.street ? this.departments.resolveStreet(dto.street) : undefined;
    if (dto.street && !street) throw new BadRequestException([`street: unknown street "${dto.street}"`]);
    const dept = dto.departmentCode ? this.departments.resolveUnit(dto.departmentCode) : undefined;
    if (dto.departmentCode && !dept) throw new BadRequestException([`departmentCode: unknown department "${dto.departmentCode}"`]);
    const receivedAt = dto.receivedAt ? new Date(dto.receivedAt) : this.clock.now();
    if (Number.isNaN(receivedAt.getTime())) throw new BadRequestException(['receivedAt must be an ISO-8601 date']);
    if (dto.ticketNo && (await this.repo.exist({ where: { ticketNo: dto.ticketNo } }))) {
      throw new ConflictException(`ticketNo ${dto.ticketNo} already exists`);
    }

    let suggestedDepartmentCode: string | null = null;
    let topics: string[] = [];
    const suggester = this.suggester;
    if (suggester) {
      try {
        const s = suggester.suggest(dto.content);
        if (!dept) suggestedDepartmentCode = s.departments[0]?.code ?? null;
        topics = s.topics.map((t) => t.key).slice(0, 8);
      } catch (e) {
        this.log.warn(`dispatch suggester failed: ${(e as Error).message}`);
      }
    }
    let duty: { leaderId: number } | null = null;
    const lookup = this.dutyLookup;
    if (lookup) {
      try {
        duty = await lookup.leaderOnDutyAt(receivedAt);
      } catch (e) {
        this.log.warn(`duty lookup failed: ${(e as Error).message}`);
      }
    }

    const phone = dto.callerPhone;
    for (let attempt = 0; ; attempt++) {
      const ticketNo = dto.ticketNo ?? this.newTicketNo(receivedAt);
      try {
        const saved = await this.ds.transaction(async (m) => {
          const earlier = await this.findRepeatRoot(m.getRepository(Ticket), phone, dto.content, receivedAt);
          const t = m.getRepository(Ticket).create({
            ticketNo,
            receivedAt,
            quarter: quarterOf(receivedAt),
            channel: dto.channel ?? 'phone',
            callerName: dto.callerName?.trim() || null,
            callerPhone: phone,
            street: street ?? null,
            community: dto.community ?? null,
            address: dto.address ?? null,
            content: dto.content,
            category: dto.category ?? null,
            departmentCode: dept ?? null,
            suggestedDepartmentCode,
            status: 'received',
            reply: null,
            repliedAt: null,
            firstDispatchedAt: null,
            closedAt: null,
            satisfaction: null,
            leaderOnDuty: !!duty,
            dutyLeaderId: duty?.leaderId ?? null,
            topics,
            repeatOf: earlier,
            repeatCount: 0,
            reopenCount: 0,
            dueAt: this.deadlines.dueAt('received', receivedAt),
          });
          const row = await m.getRepository(Ticket).save(t);
          await writeTicketTopics(m, [[row.id, topics]], false);
          if (earlier) await m.getRepository(Ticket).increment({ id: earlier }, 'repeatCount', 1);
          await m.getRepository(TicketHistory).insert({ ticketId: row.id, fromStatus: null, toStatus: 'received', note: 'created', departmentCode: dept ?? null, actorId: actor?.id ?? null, at: this.clock.now() });
          return row;
        });
        this.events.emit('ticket.created', { ticketId: saved.id });
        return this.view(saved, false);
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        if (dto.ticketNo || attempt >= 3) throw new ConflictException(`ticketNo ${ticketNo} already exists`);
      }
    }
  }

  private newTicketNo(at: Date): string {
    return `XC${localDate(at).replace(/-/g, '')}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
  }

  /** Earliest ticket of the same phone with similar content within 30 days before `at` (the chain's root): `repeatRoot`. */
  private async findRepeatRoot(repo: Repository<Ticket>, phone: string, content: string, at: Date): Promise<number | null> {
    const since = new Date(at.getTime() - REPEAT_WINDOW_DAYS * 86_400_000);
    const candidates = await repo
      .createQueryBuilder('t')
      .select(['t.id', 't.content', 't.repeatOf', 't.receivedAt'])
      .where('t.callerPhone = :phone', { phone })
      .andWhere('t.receivedAt >= :since AND t.receivedAt <= :at', { since, at })
      .orderBy('t.receivedAt', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .limit(REPEAT_CANDIDATES)
      .getMany();
    return repeatRoot(
      candidates.map((c) => ({ key: c.id, root: c.repeatOf, content: c.content, receivedAt: new Date(c.receivedAt) })),
      content,
      at,
    );
  }

  // ---------------------------------------------------------------- read

  view(t: Ticket, mask: boolean): TicketView {
    const now = this.clock.nowMs();
    return {
      id: t.id,
      ticketNo: t.ticketNo,
      receivedAt: iso(t.receivedAt)!,
      quarter: t.quarter,
      channel: t.channel,
      callerName: mask ? maskName(t.callerName) : t.callerName,
      callerPhone: mask ? maskPhone(t.callerPhone) : t.callerPhone,
      street: t.street,
      community: t.community,
      address: t.address,
      content: t.content,
      category: t.category,
      departmentCode: t.departmentCode,
      suggestedDepartmentCode: t.suggestedDepartmentCode,
      status: t.status,
      reply: t.reply,
      repliedAt: iso(t.repliedAt),
      firstDispatchedAt: iso(t.firstDispatchedAt),
      closedAt: iso(t.closedAt),
      satisfaction: t.satisfaction,
      leaderOnDuty: !!t.leaderOnDuty,
      dutyLeaderId: t.dutyLeaderId,
      topics: t.topics ?? [],
      repeatOf: t.repeatOf,
      repeatCount: t.repeatCount,
      reopenCount: t.reopenCount,
      dueAt: iso(t.dueAt),
      overdue: !!t.dueAt && t.status !== 'closed' && new Date(t.dueAt).getTime() < now,
      createdAt: iso(t.createdAt)!,
      updatedAt: iso(t.updatedAt)!,
    };
  }

  private filtered(q: Omit<TicketListQuery, 'page' | 'pageSize'>): SelectQueryBuilder<Ticket> {
    const qb = this.repo.createQueryBuilder('t');
    if (q.quarter) qb.andWhere('t.quarter = :quarter', { quarter: q.quarter });
    if (q.from) qb.andWhere('t.receivedAt >= :from', { from: new Date(q.from) });
    if (q.to) qb.andWhere('t.receivedAt < :to', { to: new Date(q.to) });
    if (q.street) {
      const s = this.departments.resolveStreet(q.street);
      if (!s) throw new BadRequestException([`street: unknown street "${q.street}"`]);
      qb.andWhere('t.street = :street', { street: s });
    }
    if (q.departmentCode) {
      const d = this.departments.resolveUnit(q.departmentCode);
      if (!d) throw new BadRequestException([`departmentCode: unknown department "${q.departmentCode}"`]);
      qb.andWhere('t.departmentCode = :dept', { dept: d });
    }
    if (q.status) qb.andWhere('t.status = :status', { status: q.status });
    if (q.topic) qb.andWhere(hasTopicSql('t', 'topic'), { topic: `%,${q.topic},%` });
    if (q.q?.trim()) {
      q.q
        .trim()
        .split(/\s+/)
        .slice(0, 5)
        .forEach((w, i) => qb.andWhere(`t.content LIKE :q${i} ESCAPE '!'`, { [`q${i}`]: `%${w.replace(/[!%_]/g, (c) => `!${c}`)}%` }));
    }
    if (q.overdue === true) qb.andWhere("t.dueAt IS NOT NULL AND t.dueAt < :now AND t.status <> 'closed'", { now: this.clock.now() });
    if (q.overdue === false) qb.andWhere(new Brackets((b) => b.where('t.dueAt IS NULL').orWhere("t.dueAt >= :now2 OR t.status = 'closed'", { now2: this.clock.now() })));
    if (q.repeat === true) qb.andWhere('t.repeatOf IS NOT NULL');
    if (q.repeat === false) qb.andWhere('t.repeatOf IS NULL');
    return qb;
  }

  /** Masked, filtered, paginated list, newest first. */
  async list(q: TicketListQuery): Promise<Page<TicketView>> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 50;
    const [rows, total] = await this.filtered(q)
      .orderBy('t.receivedAt', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { items: rows.map((r) => this.view(r, true)), total, page, pageSize };
  }

  /** Unmasked single read, audited (no personal data in the audit record). */
  async getPersonal(id: number, actor: AuthUser, ip?: string): Promise<TicketView> {
    const t = await this.repo.findOne({ where: { id } });
    if (!t) throw new NotFoundException(`ticket ${id} not found`);
    await this.audit.record({ actorId: actor.id, actorName: actor.username, action: 'ticket.read_personal', target: `ticket:${id}`, ip: ip ?? null, detail: `ticketNo ${t.ticketNo}` });
    return this.view(t, false);
  }

  async historyOf(id: number) {
    if (!(await this.repo.exist({ where: { id } }))) throw new NotFoundException(`ticket ${id} not found`);
    const rows = await this.history.find({ where: { ticketId: id }, order: { at: 'ASC', id: 'ASC' } });
    return rows.map((h) => ({ id: h.id, fromStatus: h.fromStatus, toStatus: h.toStatus, note: h.note, departmentCode: h.departmentCode, actorId: h.actorId, at: iso(h.at) }));
  }

  // ---------------------------------------------------------------- state machine

  async changeStatus(id: number, dto: ChangeStatusDto, actor: Pick<AuthUser, 'id'>): Promise<TicketView> {
    const saved = await this.ds.transaction(async (m) => {
      const repo = m.getRepository(Ticket);
      const t = await repo.findOne({ where: { id } });
      if (!t) throw new NotFoundException(`ticket ${id} not found`);
      const from = t.status;
      const allowed = TRANSITIONS[from];
      if (!allowed.includes(dto.status)) {
        throw new ConflictException(`illegal transition ${from} → ${dto.status}; allowed next states: ${allowed.length ? allowed.join(', ') : 'none (closed)'}`);
      }
      const now = this.clock.now();
      let dept: string | undefined;
      switch (dto.status) {
        case 'dispatched': {
          if (!dto.departmentCode) throw new BadRequestException(['departmentCode is required to dispatch']);
          dept = this.departments.resolveUnit(dto.departmentCode);
          if (!dept) throw new BadRequestException([`departmentCode: unknown department "${dto.departmentCode}"`]);
          t.departmentCode = dept;
          t.firstDispatchedAt ??= now;
          break;
        }
        case 'replied':
          if (!dto.reply?.trim()) throw new BadRequestException(['reply is required to reply']);
          t.reply = dto.reply;
          t.repliedAt = now;
          break;
        case 'closed':
          if (!dto.satisfaction) throw new BadRequestException(['satisfaction is required to close']);
          t.satisfaction = dto.satisfaction;
          t.closedAt = now;
          break;
        case 'in_progress':
          if (from === 'replied') t.reopenCount += 1;
          break;
        case 'received':
          break;
      }
      t.status = dto.status;
      t.dueAt = this.deadlines.dueAt(dto.status, now);
      const row = await repo.save(t);
      await m.getRepository(TicketHistory).insert({ ticketId: id, fromStatus: from, toStatus: dto.status, note: dto.note ?? (from === 'replied' && dto.status === 'in_progress' ? 'reopened' : null), departmentCode: dept ?? null, actorId: actor.id, at: now });
      return row;
    });
    return this.view(saved, true);
  }

  // ---------------------------------------------------------------- stats

  /** SQL: seconds from receipt to `col` on this engine. */
  private secondsSince(col: string): string {
    return this.ds.options.type === 'mysql' || this.ds.options.type === 'mariadb'
      ? `TIMESTAMPDIFF(SECOND, t.receivedAt, ${col})`
      : `((julianday(${col}) - julianday(t.receivedAt)) * 86400.0)`;
  }

  /**
   * 接诉即办 rates, aggregated in SQL: totals, per department and per street.
   * responseRate = (first dispatched or replied within the response window) / all;
   * resolutionRate = (closed and not dissatisfied) / all; satisfactionRate = (satisfied + basically_satisfied) / rated.
   */
  async stats(quarter?: string) {
    const secs = this.deadlines.responseSeconds() + 0.5;
    const now = this.clock.now();
    const sel = (qb: SelectQueryBuilder<Ticket>) =>
      qb
        .addSelect('COUNT(*)', 'count')
        .addSelect(
          `SUM(CASE WHEN (t.firstDispatchedAt IS NOT NULL AND ${this.secondsSince('t.firstDispatchedAt')} <= :secs) OR (t.repliedAt IS NOT NULL AND ${this.secondsSince('t.repliedAt')} <= :secs) THEN 1 ELSE 0 END)`,
          'responded',
        )
        .addSelect(`SUM(CASE WHEN t.status = 'closed' AND (t.satisfaction IS NULL OR t.satisfaction <> 'dissatisfied') THEN 1 ELSE 0 END)`, 'resolved')
        .addSelect('SUM(CASE WHEN t.satisfaction IS NOT NULL THEN 1 ELSE 0 END)', 'rated')
        .addSelect(`SUM(CASE WHEN t.satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)`, 'satisfied')
        .addSelect(`SUM(CASE WHEN t.dueAt IS NOT NULL AND t.dueAt < :now AND t.status <> 'closed' THEN 1 ELSE 0 END)`, 'overdue')
        .addSelect('SUM(CASE WHEN t.repeatOf IS NOT NULL THEN 1 ELSE 0 END)', 'repeat')
        .addSelect('SUM(CASE WHEN t.leaderOnDuty = 1 THEN 1 ELSE 0 END)', 'leaderOnDuty')
        .setParameters({ secs, now });
    const base = () => {
      const qb = this.repo.createQueryBuilder('t').select([]);
      if (quarter) qb.where('t.quarter = :quarter', { quarter });
      return qb;
    };
    const toRow = (r: Record<string, unknown>): RateRow => {
      const n = (k: string) => Number(r[k] ?? 0);
      return {
        count: n('count'),
        responded: n('responded'),
        responseRate: rate(n('responded'), n('count')),
        resolved: n('resolved'),
        resolutionRate: rate(n('resolved'), n('count')),
        rated: n('rated'),
        satisfied: n('satisfied'),
        satisfactionRate: rate(n('satisfied'), n('rated')),
        overdue: n('overdue'),
        repeat: n('repeat'),
        leaderOnDuty: n('leaderOnDuty'),
      };
    };
    const totalRaw = await sel(base()).getRawOne<Record<string, unknown>>();
    const deptRaw = await sel(base().addSelect('t.departmentCode', 'code')).groupBy('t.departmentCode').getRawMany<Record<string, unknown>>();
    const streetRaw = await sel(base().addSelect('t.street', 'street')).groupBy('t.street').getRawMany<Record<string, unknown>>();
    const range = quarter ? quarterRange(quarter) : null;
    return {
      quarter: quarter ?? null,
      from: iso(range?.from),
      to: iso(range?.to),
      responseHours: this.deadlines.responseSeconds() / 3600,
      generatedAt: now.toISOString(),
      totals: toRow(totalRaw ?? {}),
      departments: deptRaw
        .map((r) => ({ code: (r.code as string | null) ?? null, name: this.departments.name(r.code as string | null) ?? null, ...toRow(r) }))
        .sort((a, b) => b.count - a.count),
      streets: streetRaw.map((r) => ({ street: (r.street as string | null) ?? null, ...toRow(r) })).sort((a, b) => b.count - a.count),
    };
  }
}
