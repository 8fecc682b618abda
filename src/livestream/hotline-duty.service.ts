import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClockService } from '../common/clock.service';
import { Page } from '../common/pagination';
import { DutyLookup } from '../common/ports';
import { HotlineShift } from './hotline-shift.entity';
import { parseLocalTime } from './schedule-rules';
import { LeaderMailerService } from './leader-mailer.service';
import { LeadersService } from './leaders.service';
import { ScheduleService } from './schedule.service';

export interface ShiftView {
  id: number;
  leaderId: number;
  leaderName: string;
  leaderTitle: string;
  departmentCode: string;
  startsAt: string;
  endsAt: string;
}

/** Hotline duty roster (一把手接听热线); also the DUTY_LOOKUP the tickets module asks while a call is logged. */
@Injectable()
export class HotlineDutyService implements DutyLookup {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly clock: ClockService,
    private readonly leaders: LeadersService,
    private readonly schedule: ScheduleService,
    private readonly mailer: LeaderMailerService,
  ) {}

  async create(dto: { leaderId: number; startsAt: string; endsAt: string }): Promise<ShiftView> {
    const startsAt = new Date(dto.startsAt);
    const endsAt = new Date(dto.endsAt);
    if (endsAt <= startsAt) throw new BadRequestException(['endsAt must be after startsAt']);
    if (endsAt.getTime() - startsAt.getTime() > 24 * 3600_000) throw new BadRequestException(['a shift lasts at most 24 hours']);
    const leaders = await this.leaders.byIds([dto.leaderId]);
    const leader = leaders.get(dto.leaderId);
    if (!leader) throw new BadRequestException([`leaderId: unknown leader ${dto.leaderId}`]);
    const saved = await this.schedule.serial(() =>
      this.ds.transaction(async (em) => {
        await this.schedule.assertFree(em, { kind: 'shift', id: null, label: 'new', leaderIds: [leader.id], startsAt, endsAt }, leaders);
        const s = await em.getRepository(HotlineShift).save(em.getRepository(HotlineShift).create({ leaderId: leader.id, startsAt, endsAt, sequence: 0, createdAt: this.clock.now() }));
        await this.mailer.notify(em, { kind: 'duty', s }, [leader], [leader], 'invite');
        return s;
      }),
    );
    return this.view(saved, leaders);
  }

  /**
   * Import a roster [{leaderId, startsAt, endsAt}] (times in Asia/Shanghai) all or nothing: any bad row or
   * clash (with the schedule or another row) → 400 with every row's error and nothing changed.
   */
  async importRoster(raw: unknown[]): Promise<{ created: number; shifts: ShiftView[] }> {
    if (!raw.length) throw new BadRequestException(['the roster must be a non-empty list of shifts']);
    if (raw.length > 2000) throw new BadRequestException(['at most 2000 shifts per roster']);
    const all = new Map((await this.leaders.all()).map((l) => [l.id, l]));
    const errors: Array<{ row: number; message: string }> = [];
    const rows = raw.map((r, i) => {
      const o = (r && typeof r === 'object' ? r : {}) as Record<string, unknown>;
      const leaderId = Number(o.leaderId ?? o.leaderIds);
      const startsAt = parseLocalTime(o.startsAt);
      const endsAt = parseLocalTime(o.endsAt);
      const bad = (message: string) => (errors.push({ row: i + 1, message }), null);
      if (!Number.isInteger(leaderId) || !all.has(leaderId)) return bad(`leaderId: unknown leader "${String(o.leaderId ?? o.leaderIds ?? '')}"`);
      if (!startsAt) return bad(`startsAt: not a date/time "${String(o.startsAt ?? '')}"`);
      if (!endsAt) return bad(`endsAt: not a date/time "${String(o.endsAt ?? '')}"`);
      if (endsAt <= startsAt) return bad('endsAt must be after startsAt');
      if (endsAt.getTime() - startsAt.getTime() > 24 * 3600_000) return bad('a shift lasts at most 24 hours');
      return { leaderId, startsAt, endsAt };
    });
    const good = rows.filter((r): r is { leaderId: number; startsAt: Date; endsAt: Date } => !!r);
    const saved = await this.schedule.serial(() =>
      this.ds.transaction(async (em) => {
        await this.schedule.batchClashes(
          em,
          rows.map((r, i) => (r ? { kind: 'shift' as const, id: null, label: `roster row ${i + 1}`, leaderIds: [r.leaderId], startsAt: r.startsAt, endsAt: r.endsAt } : null)),
          all,
          errors,
        );
        if (errors.length) {
          errors.sort((a, b) => a.row - b.row);
          throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: errors.map((e) => `row ${e.row}: ${e.message}`), errors });
        }
        const repo = em.getRepository(HotlineShift);
        const out: HotlineShift[] = [];
        for (const r of good) {
          const s = await repo.save(repo.create({ ...r, sequence: 0, createdAt: this.clock.now() }));
          const l = all.get(r.leaderId)!;
          await this.mailer.notify(em, { kind: 'duty', s }, [l], [l], 'invite');
          out.push(s);
        }
        return out;
      }),
    );
    return { created: saved.length, shifts: saved.map((s) => this.view(s, all)) };
  }

  async list(from: string | undefined, to: string | undefined, page: number, pageSize: number): Promise<Page<ShiftView>> {
    const qb = this.ds.getRepository(HotlineShift).createQueryBuilder('h').orderBy('h.startsAt', 'ASC').addOrderBy('h.id', 'ASC').skip((page - 1) * pageSize).take(pageSize);
    if (from) qb.andWhere('h.endsAt > :from', { from: new Date(from) });
    if (to) qb.andWhere('h.startsAt < :to', { to: new Date(to) });
    const [rows, total] = await qb.getManyAndCount();
    const leaders = await this.leaders.byIds(rows.map((r) => r.leaderId));
    return { items: rows.map((r) => this.view(r, leaders)), total, page, pageSize };
  }

  async remove(id: number): Promise<void> {
    await this.schedule.serial(() =>
      this.ds.transaction(async (em) => {
        const repo = em.getRepository(HotlineShift);
        const s = await repo.findOneBy({ id });
        if (!s) throw new NotFoundException(`shift ${id} not found`);
        s.sequence += 1;
        const leader = (await this.leaders.byIds([s.leaderId])).get(s.leaderId);
        if (leader && new Date(s.endsAt).getTime() > this.clock.nowMs()) await this.mailer.notify(em, { kind: 'duty', s }, [leader], [leader], 'cancel');
        await repo.delete({ id });
      }),
    );
  }

  /** DUTY_LOOKUP: the leader on hotline duty at `at`, if any. */
  async leaderOnDutyAt(at: Date): Promise<{ leaderId: number } | null> {
    const s = await this.ds
      .getRepository(HotlineShift)
      .createQueryBuilder('h')
      .where('h.startsAt <= :at AND h.endsAt > :at', { at })
      .orderBy('h.id', 'ASC')
      .getOne();
    return s ? { leaderId: s.leaderId } : null;
  }

  private view(s: HotlineShift, leaders: Map<number, { name: string; title: string; departmentCode: string }>): ShiftView {
    const l = leaders.get(s.leaderId);
    return { id: s.id, leaderId: s.leaderId, leaderName: l?.name ?? '', leaderTitle: l?.title ?? '', departmentCode: l?.departmentCode ?? '', startsAt: new Date(s.startsAt).toISOString(), endsAt: new Date(s.endsAt).toISOString() };
  }
}
