import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as cron from 'node-cron';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { ClockService } from '../common/clock.service';
import { LockService } from '../common/lock.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DepartmentsService } from '../departments/departments.service';
import { buildIcs } from '../mail/ics';
import { EnqueueMail, MailOutboxService } from '../mail/mail-outbox.service';
import { LeaderMailKind, renderLeaderMail } from '../mail/templates';
import { HotlineShift } from './hotline-shift.entity';
import { Leader } from './leader.entity';
import { LivestreamSession } from './livestream-session.entity';

export type Appt = { kind: 'session'; s: LivestreamSession } | { kind: 'duty'; s: HotlineShift };

const HOUR = 3600_000;

/**
 * Mails to leaders about their appointments (livestream sessions and hotline duty shifts):
 * invitation / update / cancellation with an .ics, and the 24 h and 1 h reminders.
 * Every mail goes into the outbox in the caller's transaction; dedupe keys make each mail exist once.
 */
@Injectable()
export class LeaderMailerService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('LeaderMail');
  private task?: { stop: () => void | Promise<void> };

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly clock: ClockService,
    private readonly locks: LockService,
    private readonly outbox: MailOutboxService,
    private readonly departments: DepartmentsService,
  ) {}

  onModuleInit(): void {
    if (!this.cfg.jobsEnabled) return;
    this.task = cron.schedule(
      this.cfg.remindersCron,
      () => {
        this.runOnce().catch((e: Error) => this.log.warn(`reminders: ${e.message}`));
      },
      { timezone: 'Asia/Shanghai', name: 'livestream-reminders', noOverlap: true } as never,
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }

  private organizer(): { name: string; email: string } {
    const m = /^(.*?)\s*<([^>]+)>$/.exec(this.cfg.mailFrom);
    return m ? { name: m[1] || '政民互动中心', email: m[2] } : { name: '政民互动中心', email: this.cfg.mailFrom };
  }

  /** Build one leader's mail for an appointment. */
  compose(a: Appt, leader: Leader, attendees: Leader[], kind: LeaderMailKind, keySuffix: string): EnqueueMail {
    const s = a.s;
    const isSession = a.kind === 'session';
    const title = isSession ? a.s.title : '一把手接听12341热线值守';
    const dept = this.departments.name(isSession ? a.s.departmentCode : leader.departmentCode) ?? (isSession ? a.s.departmentCode : leader.departmentCode);
    const r = renderLeaderMail({
      kind,
      appointment: isSession ? 'livestream' : 'duty',
      leaderName: leader.name,
      leaderTitle: leader.title,
      title,
      departmentName: dept,
      startsAt: new Date(s.startsAt),
      endsAt: new Date(s.endsAt),
      description: isSession ? a.s.description : null,
      streamUrl: isSession ? a.s.streamUrl : null,
      consoleUrl: `${this.cfg.publicBaseUrl}/console/`,
    });
    const method = kind === 'cancel' ? 'CANCEL' : 'REQUEST';
    const uid = isSession ? `session-${s.id}@zhengmin-hub` : `duty-${s.id}@zhengmin-hub`;
    const ics = kind === 'remind24h' || kind === 'remind1h'
      ? null
      : buildIcs({
          method,
          uid,
          sequence: s.sequence,
          start: new Date(s.startsAt),
          end: new Date(s.endsAt),
          stamp: this.clock.now(),
          summary: isSession ? `政民互动直播：${title}` : title,
          description: r.text,
          location: isSession ? (a.s.streamUrl ?? '政民互动直播间') : '12341热线接听室',
          organizer: this.organizer(),
          attendees: (kind === 'cancel' ? [leader] : attendees).map((l) => ({ name: `${l.name}${l.title}`, email: l.email })),
        });
    return {
      dedupeKey: `${isSession ? 'ls' : 'duty'}:${s.id}:${keySuffix}:${kind}:${leader.id}`,
      to: `${leader.name} <${leader.email}>`,
      subject: r.subject,
      html: r.html,
      text: r.text,
      ics,
      ref: `${isSession ? 'session' : 'duty'}-${s.id}-${kind}-${leader.id}`,
    };
  }

  /** Queue `kind` mails (invite/update/cancel) to `to` leaders, at the appointment's current sequence. */
  async notify(em: EntityManager, a: Appt, to: Leader[], attendees: Leader[], kind: 'invite' | 'update' | 'cancel'): Promise<void> {
    if (!to.length) return;
    await this.outbox.enqueue(em, to.map((l) => this.compose(a, l, attendees, kind, `seq${a.s.sequence}`)));
  }

  /**
   * One reminder pass: every leader of a scheduled session or duty shift starting within 24 h gets the
   * 24 h reminder (when more than 1 h is left) and, within the last hour, the 1 h reminder. Keys are
   * unique per (appointment, leader, kind, start time), so each is sent exactly once across restarts and instances.
   */
  async scanReminders(): Promise<number> {
    return (
      (await this.locks.runExclusive('livestream-reminders', 60_000, async () => {
        const now = this.clock.now();
        const until = new Date(now.getTime() + 24 * HOUR);
        const sessions = await this.ds
          .getRepository(LivestreamSession)
          .createQueryBuilder('s')
          .where('s.status = :st', { st: 'scheduled' })
          .andWhere(new Brackets((w) => w.where('s.startsAt > :now', { now }).andWhere('s.startsAt <= :until', { until })))
          .getMany();
        const shifts = await this.ds
          .getRepository(HotlineShift)
          .createQueryBuilder('h')
          .where('h.startsAt > :now AND h.startsAt <= :until', { now, until })
          .getMany();
        const appts: Appt[] = [...sessions.map((s) => ({ kind: 'session' as const, s })), ...shifts.map((s) => ({ kind: 'duty' as const, s }))];
        const ids = [...new Set(appts.flatMap((a) => (a.kind === 'session' ? a.s.leaderIds : [a.s.leaderId])))];
        if (!ids.length) return 0;
        const leaders = new Map((await this.ds.getRepository(Leader).findByIds(ids)).map((l) => [l.id, l]));
        let n = 0;
        await this.ds.transaction(async (em) => {
          for (const a of appts) {
            const start = new Date(a.s.startsAt);
            const kind: LeaderMailKind = start.getTime() - now.getTime() <= HOUR ? 'remind1h' : 'remind24h';
            const ls = (a.kind === 'session' ? a.s.leaderIds : [a.s.leaderId]).map((id) => leaders.get(id)).filter((l): l is Leader => !!l);
            n += await this.outbox.enqueue(em, ls.map((l) => this.compose(a, l, ls, kind, `at${start.getTime()}`)));
          }
        });
        if (n) this.log.log(`queued ${n} reminder(s)`);
        return n;
      })) ?? 0
    );
  }

  /** The cron job's work, also callable on demand: queue due reminders, then send the outbox once. */
  async runOnce(): Promise<{ reminders: number; sent: number }> {
    const reminders = await this.scanReminders();
    const sent = await this.outbox.processOnce();
    return { reminders, sent };
  }
}
