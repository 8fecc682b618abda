import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainEvents } from '../common/domain-events';
import { Page } from '../common/pagination';
import { DepartmentsService } from '../departments/departments.service';
import { CreateSessionDto, UpdateSessionDto } from './dto/livestream.dto';
import { Leader } from './leader.entity';
import { LeaderMailerService } from './leader-mailer.service';
import { LeadersService } from './leaders.service';
import { LivestreamSession, SessionStatus } from './livestream-session.entity';
import { Appointment, parseLocalTime } from './schedule-rules';
import { ScheduleService } from './schedule.service';

/** Public view of a session: leaders by name and title only (never e-mail). */
export interface SessionView {
  id: number;
  title: string;
  description: string | null;
  departmentCode: string;
  departmentName: string | null;
  leaderIds: number[];
  leaders: Array<{ id: number; name: string; title: string }>;
  topicKeys: string[];
  startsAt: string;
  endsAt: string;
  planned: boolean;
  status: SessionStatus;
  streamUrl: string | null;
}

export interface PlanRow {
  title: string;
  departmentCode: string;
  startsAt: string;
  endsAt: string;
  topicKeys?: string[];
  leaderIds?: number[];
  description?: string;
  streamUrl?: string;
}

const TRANSITIONS: Record<'start' | 'end' | 'cancel', { from: SessionStatus[]; to: SessionStatus }> = {
  start: { from: ['scheduled'], to: 'live' },
  end: { from: ['live'], to: 'ended' },
  cancel: { from: ['scheduled'], to: 'cancelled' },
};

const NEXT: Record<SessionStatus, string[]> = { scheduled: ['start', 'cancel'], live: ['end'], ended: [], cancelled: [] };

/**
 * Livestream sessions: create, edit/reschedule/reassign, start/end/cancel, the yearly plan import,
 * public listing. Each change checks the clash rules, writes the leaders' mails into the outbox in the
 * same transaction and, after commit, announces `session.changed` (the live room pushes `session:status`).
 */
@Injectable()
export class LivestreamService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly events: DomainEvents,
    private readonly departments: DepartmentsService,
    private readonly leaders: LeadersService,
    private readonly schedule: ScheduleService,
    private readonly mailer: LeaderMailerService,
  ) {}

  private dept(code: string): string {
    const c = this.departments.resolveUnit(code);
    if (!c) throw new BadRequestException([`departmentCode: unknown department "${code}"`]);
    return c;
  }

  private async leaderMap(ids: number[]): Promise<Map<number, Leader>> {
    const m = await this.leaders.byIds(ids);
    const missing = ids.filter((id) => !m.has(id));
    if (missing.length) throw new BadRequestException([`leaderIds: unknown leader(s) ${missing.join(', ')}`]);
    return m;
  }

  private appt(s: { id?: number | null; title: string; leaderIds: number[]; startsAt: Date; endsAt: Date }): Appointment {
    return { kind: 'session', id: s.id ?? null, label: s.title, leaderIds: s.leaderIds, startsAt: s.startsAt, endsAt: s.endsAt };
  }

  private announce(s: LivestreamSession): void {
    this.events.emit('session.changed', { sessionId: s.id, status: s.status });
  }

  async create(dto: CreateSessionDto): Promise<SessionView> {
    const created = await this.createMany([{ ...dto, planned: dto.planned ?? false }]);
    return created[0];
  }

  /** Create sessions all-or-nothing (used by create, confirm of proposals). */
  async createMany(rows: Array<Omit<CreateSessionDto, 'planned'> & { planned: boolean }>): Promise<SessionView[]> {
    const ids = [...new Set(rows.flatMap((r) => r.leaderIds))];
    const leaders = await this.leaderMap(ids);
    const prepared = rows.map((r) => {
      const startsAt = new Date(r.startsAt);
      const endsAt = new Date(r.endsAt);
      if (endsAt <= startsAt) throw new BadRequestException(['endsAt must be after startsAt']);
      return { ...r, departmentCode: this.dept(r.departmentCode), startsAt, endsAt, leaderIds: [...new Set(r.leaderIds)] };
    });
    const saved = await this.schedule.serial(() =>
      this.ds.transaction(async (em) => {
        const out: LivestreamSession[] = [];
        for (const r of prepared) {
          await this.schedule.assertFree(em, this.appt({ ...r, id: null }), leaders);
          out.push(await this.insert(em, r, leaders));
        }
        return out;
      }),
    );
    saved.forEach((s) => this.announce(s));
    return saved.map((s) => this.view(s, leaders));
  }

  private async insert(
    em: EntityManager,
    r: { title: string; description?: string | null; departmentCode: string; leaderIds: number[]; topicKeys?: string[]; startsAt: Date; endsAt: Date; streamUrl?: string | null; planned: boolean },
    leaders: Map<number, Leader>,
  ): Promise<LivestreamSession> {
    const repo = em.getRepository(LivestreamSession);
    const s = await this.save(
      em,
      repo.create({
        title: r.title.trim(),
        description: r.description ?? null,
        departmentCode: r.departmentCode,
        leaderIds: r.leaderIds,
        topicKeys: r.topicKeys ?? [],
        startsAt: r.startsAt,
        endsAt: r.endsAt,
        planned: r.planned,
        status: 'scheduled',
        streamUrl: r.streamUrl ?? null,
        sequence: 0,
      }),
    );
    const ls = s.leaderIds.map((id) => leaders.get(id)!);
    await this.mailer.notify(em, { kind: 'session', s }, ls, ls, 'invite');
    return s;
  }

  /** Save, keeping the list columns as arrays (TypeORM may hand back the raw defaults after an insert). */
  private async save(em: EntityManager, s: LivestreamSession): Promise<LivestreamSession> {
    const { leaderIds, topicKeys } = s;
    const saved = await em.getRepository(LivestreamSession).save(s);
    return Object.assign(saved, { leaderIds, topicKeys });
  }

  async update(id: number, dto: UpdateSessionDto): Promise<SessionView> {
    const newIds = dto.leaderIds ? [...new Set(dto.leaderIds)] : undefined;
    const { s, leaders } = await this.schedule.serial(() =>
      this.ds.transaction(async (em) => {
        const repo = em.getRepository(LivestreamSession);
        const s = await repo.findOneBy({ id });
        if (!s) throw new NotFoundException(`session ${id} not found`);
        if (s.status === 'ended' || s.status === 'cancelled') throw new ConflictException(`session ${id} is ${s.status} and can no longer be changed`);
        const leaders = await this.leaderMap([...s.leaderIds, ...(newIds ?? [])]);
        const startsAt = dto.startsAt ? new Date(dto.startsAt) : new Date(s.startsAt);
        const endsAt = dto.endsAt ? new Date(dto.endsAt) : new Date(s.endsAt);
        if (endsAt <= startsAt) throw new BadRequestException(['endsAt must be after startsAt']);
        const timeChanged = startsAt.getTime() !== new Date(s.startsAt).getTime() || endsAt.getTime() !== new Date(s.endsAt).getTime();
        if (timeChanged && s.status === 'live') throw new ConflictException(`session ${id} is live and cannot be rescheduled`);
        const before = s.leaderIds;
        const after = newIds ?? before;
        const removed = before.filter((l) => !after.includes(l));
        const added = after.filter((l) => !before.includes(l));
        const kept = after.filter((l) => before.includes(l));
        const edited =
          (dto.title !== undefined && dto.title.trim() !== s.title) ||
          (dto.description !== undefined && dto.description !== s.description) ||
          (dto.streamUrl !== undefined && dto.streamUrl !== s.streamUrl) ||
          (dto.departmentCode !== undefined && this.dept(dto.departmentCode) !== s.departmentCode);
        Object.assign(s, {
          title: dto.title?.trim() ?? s.title,
          description: dto.description ?? s.description,
          departmentCode: dto.departmentCode ? this.dept(dto.departmentCode) : s.departmentCode,
          streamUrl: dto.streamUrl ?? s.streamUrl,
          topicKeys: dto.topicKeys ?? s.topicKeys,
          leaderIds: after,
          startsAt,
          endsAt,
        });
        if (timeChanged || added.length) await this.schedule.assertFree(em, this.appt(s), leaders);
        if (timeChanged || edited || added.length || removed.length) s.sequence += 1;
        await this.save(em, s);
        const L = (ids: number[]) => ids.map((i) => leaders.get(i)!);
        const a = { kind: 'session' as const, s };
        await this.mailer.notify(em, a, L(removed), L(removed), 'cancel');
        await this.mailer.notify(em, a, L(added), L(after), 'invite');
        if (timeChanged || edited) await this.mailer.notify(em, a, L(kept), L(after), 'update');
        return { s, leaders };
      }),
    );
    this.announce(s);
    return this.view(s, leaders);
  }

  async transition(id: number, action: 'start' | 'end' | 'cancel'): Promise<SessionView> {
    const t = TRANSITIONS[action];
    const { s, leaders } = await this.schedule.serial(() =>
      this.ds.transaction(async (em) => {
        const repo = em.getRepository(LivestreamSession);
        const s = await repo.findOneBy({ id });
        if (!s) throw new NotFoundException(`session ${id} not found`);
        if (!t.from.includes(s.status)) {
          throw new ConflictException(`cannot ${action} a ${s.status} session; allowed: ${NEXT[s.status].join(', ') || 'none'}`);
        }
        s.status = t.to;
        const leaders = await this.leaders.byIds(s.leaderIds);
        if (action === 'cancel') {
          s.sequence += 1;
          const ls = s.leaderIds.map((i) => leaders.get(i)).filter((l): l is Leader => !!l);
          await this.save(em, s);
          await this.mailer.notify(em, { kind: 'session', s }, ls, ls, 'cancel');
        } else await this.save(em, s);
        return { s, leaders };
      }),
    );
    this.announce(s);
    return this.view(s, leaders);
  }

  async get(id: number): Promise<SessionView> {
    const s = await this.ds.getRepository(LivestreamSession).findOneBy({ id });
    if (!s) throw new NotFoundException(`session ${id} not found`);
    return this.view(s, await this.leaders.byIds(s.leaderIds));
  }

  async list(q: { from?: string; to?: string; status?: SessionStatus; page: number; pageSize: number }): Promise<Page<SessionView>> {
    const qb = this.ds.getRepository(LivestreamSession).createQueryBuilder('s').orderBy('s.startsAt', 'ASC').addOrderBy('s.id', 'ASC').skip((q.page - 1) * q.pageSize).take(q.pageSize);
    if (q.from) qb.andWhere('s.startsAt >= :from', { from: new Date(q.from) });
    if (q.to) qb.andWhere('s.startsAt < :to', { to: new Date(q.to) });
    if (q.status) qb.andWhere('s.status = :status', { status: q.status });
    const [rows, total] = await qb.getManyAndCount();
    const leaders = await this.leaders.byIds(rows.flatMap((r) => r.leaderIds));
    return { items: rows.map((r) => this.view(r, leaders)), total, page: q.page, pageSize: q.pageSize };
  }

  /** Sessions of [from, to) that are scheduled or live (for proposals). */
  async activeBetween(from: Date, to: Date): Promise<LivestreamSession[]> {
    return this.ds
      .getRepository(LivestreamSession)
      .createQueryBuilder('s')
      .where('s.startsAt >= :from AND s.startsAt < :to', { from, to })
      .andWhere('s.status IN (:...st)', { st: ['scheduled', 'live'] })
      .getMany();
  }

  /**
   * The yearly plan: rows are validated and checked for clashes (against the schedule and each other);
   * any bad row → 400 with every row's error and nothing changed; else all are created (planned) at once.
   */
  async importPlan(raw: unknown[]): Promise<{ created: number; sessions: SessionView[] }> {
    if (!Array.isArray(raw) || !raw.length) throw new BadRequestException(['the plan must be a non-empty list of sessions']);
    if (raw.length > 1000) throw new BadRequestException(['at most 1000 sessions per plan']);
    const errors: Array<{ row: number; message: string }> = [];
    const allLeaders = new Map((await this.leaders.all()).map((l) => [l.id, l]));
    type Row = { title: string; departmentCode: string; startsAt: Date; endsAt: Date; topicKeys: string[]; leaderIds: number[]; description: string | null; streamUrl: string | null };
    const rows: Array<Row | null> = raw.map((r, i) => {
      const row = i + 1;
      const bad = (message: string) => {
        errors.push({ row, message });
        return null;
      };
      if (!r || typeof r !== 'object' || Array.isArray(r)) return bad('not an object');
      const o = r as Record<string, unknown>;
      const title = typeof o.title === 'string' ? o.title.trim() : '';
      if (!title || title.length > 200) return bad('title is required (1–200 characters)');
      const code = typeof o.departmentCode === 'string' ? this.departments.resolveUnit(o.departmentCode) : undefined;
      if (!code) return bad(`departmentCode: unknown department "${String(o.departmentCode ?? '')}"`);
      const startsAt = parseLocalTime(o.startsAt);
      if (!startsAt) return bad(`startsAt: not a date/time "${String(o.startsAt ?? '')}" (e.g. 2026-03-10 15:00, Asia/Shanghai)`);
      const endsAt = parseLocalTime(o.endsAt);
      if (!endsAt) return bad(`endsAt: not a date/time "${String(o.endsAt ?? '')}"`);
      if (endsAt <= startsAt) return bad('endsAt must be after startsAt');
      const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/[;|；、\s]+/) : []).map((x) => x.trim()).filter(Boolean);
      const topicKeys = list(o.topicKeys);
      const leaderIdsRaw = list(o.leaderIds);
      const leaderIds = leaderIdsRaw.map(Number);
      if (leaderIds.some((n) => !Number.isInteger(n) || n < 1)) return bad(`leaderIds: not leader ids "${leaderIdsRaw.join(';')}"`);
      const unknown = leaderIds.filter((id) => !allLeaders.has(id));
      if (unknown.length) return bad(`leaderIds: unknown leader(s) ${unknown.join(', ')}`);
      return { title, departmentCode: code, startsAt, endsAt, topicKeys, leaderIds: [...new Set(leaderIds)], description: typeof o.description === 'string' ? o.description : null, streamUrl: typeof o.streamUrl === 'string' ? o.streamUrl : null };
    });
    const good = rows.filter((r): r is Row => !!r);
    const saved = await this.schedule.serial(() =>
      this.ds.transaction(async (em) => {
        await this.schedule.batchClashes(
          em,
          rows.map((r, i) => (r ? { ...this.appt({ ...r, id: null }), label: `${r.title} (plan row ${i + 1})` } : null)),
          allLeaders,
          errors,
        );
        if (errors.length) {
          errors.sort((a, b) => a.row - b.row);
          throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: errors.map((e) => `row ${e.row}: ${e.message}`), errors });
        }
        const out: LivestreamSession[] = [];
        for (const r of good) out.push(await this.insert(em, { ...r, planned: true }, allLeaders));
        return out;
      }),
    );
    saved.forEach((s) => this.announce(s));
    return { created: saved.length, sessions: saved.map((s) => this.view(s, allLeaders)) };
  }

  view(s: LivestreamSession, leaders: Map<number, Leader>): SessionView {
    return {
      id: s.id,
      title: s.title,
      description: s.description,
      departmentCode: s.departmentCode,
      departmentName: this.departments.name(s.departmentCode) ?? null,
      leaderIds: s.leaderIds,
      leaders: s.leaderIds.map((id) => leaders.get(id)).filter((l): l is Leader => !!l).map((l) => ({ id: l.id, name: l.name, title: l.title })),
      topicKeys: s.topicKeys,
      startsAt: new Date(s.startsAt).toISOString(),
      endsAt: new Date(s.endsAt).toISOString(),
      planned: !!s.planned,
      status: s.status,
      streamUrl: s.streamUrl,
    };
  }
}
