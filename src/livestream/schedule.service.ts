import { ConflictException, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { LockService } from '../common/lock.service';
import { EntityManager } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { HotlineShift } from './hotline-shift.entity';
import { Leader } from './leader.entity';
import { LivestreamSession } from './livestream-session.entity';
import { Appointment, findClash, LivestreamFile, loadLivestreamFile } from './schedule-rules';

/**
 * Loads the appointments around a time window and applies the clash rules of schedule-rules.ts.
 * Changes to the schedule run one at a time (`serial`: in this process, and across instances under
 * the `livestream-schedule` lock), so two requests cannot both pass the check and book the same leader or room.
 */
const LOCK = 'livestream-schedule';

@Injectable()
export class ScheduleService {
  readonly file: LivestreamFile = loadLivestreamFile();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly calendar: CalendarService,
    private readonly locks: LockService,
  ) {}

  serial<T>(fn: () => Promise<T>): Promise<T> {
    const locked = () => this.withLock(fn);
    const run = this.chain.then(locked, locked);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Across instances: wait (up to 15 s) for the schedule lock, run, release. */
  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + 15_000;
    while (!(await this.locks.acquire(LOCK, 30_000))) {
      if (Date.now() > deadline) throw new ServiceUnavailableException('the schedule is busy, try again');
      await new Promise((r) => setTimeout(r, 50));
    }
    try {
      return await fn();
    } finally {
      await this.locks.release(LOCK).catch(() => undefined);
    }
  }

  async appointments(em: EntityManager, from: Date, to: Date): Promise<Appointment[]> {
    const sessions = await em
      .getRepository(LivestreamSession)
      .createQueryBuilder('s')
      .where('s.startsAt < :to AND s.endsAt > :from', { from, to })
      .andWhere('s.status IN (:...st)', { st: ['scheduled', 'live'] })
      .getMany();
    const shifts = await em.getRepository(HotlineShift).createQueryBuilder('h').where('h.startsAt < :to AND h.endsAt > :from', { from, to }).getMany();
    return [
      ...sessions.map((s) => ({ kind: 'session' as const, id: s.id, label: s.title, leaderIds: s.leaderIds, startsAt: new Date(s.startsAt), endsAt: new Date(s.endsAt) })),
      ...shifts.map((h) => ({ kind: 'shift' as const, id: h.id, label: 'hotline duty', leaderIds: [h.leaderId], startsAt: new Date(h.startsAt), endsAt: new Date(h.endsAt) })),
    ];
  }

  /** The clash message for `cand` against `others`, or null. */
  clash(cand: Appointment, others: Appointment[], leaders: Map<number, Leader>): string | null {
    return findClash(cand, others, {
      rooms: this.cfg.livestreamRooms,
      file: this.file,
      isHoliday: (ymd) => this.calendar.isHoliday(ymd),
      leaderName: (id) => leaders.get(id)?.name ?? '?',
    });
  }

  /**
   * Clash check for a whole import (plan or roster): each row against what is booked and against the rows before it.
   * Adds `{row, message}` to `errors` for each clashing row (rows are numbered from 1; null rows were already rejected).
   */
  async batchClashes(
    em: EntityManager,
    rows: Array<Appointment | null>,
    leaders: Map<number, Leader>,
    errors: Array<{ row: number; message: string }>,
  ): Promise<void> {
    const good = rows.filter((r): r is Appointment => !!r);
    if (!good.length) return;
    const from = new Date(Math.min(...good.map((r) => r.startsAt.getTime())));
    const to = new Date(Math.max(...good.map((r) => r.endsAt.getTime())));
    const others = await this.appointments(em, from, to);
    rows.forEach((cand, i) => {
      if (!cand) return;
      const msg = this.clash(cand, others, leaders);
      if (msg) errors.push({ row: i + 1, message: `schedule clash: ${msg}` });
      else others.push(cand);
    });
  }

  /** Throws 409 naming the clash. */
  async assertFree(em: EntityManager, cand: Appointment, leaders: Map<number, Leader>): Promise<void> {
    const others = await this.appointments(em, cand.startsAt, cand.endsAt);
    const msg = this.clash(cand, others, leaders);
    if (msg) throw new ConflictException(`schedule clash: ${msg}`);
  }
}
