import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { In, Repository } from 'typeorm';
import { ClockService } from '../common/clock.service';
import { LockService } from '../common/lock.service';
import { DISPATCH_SUGGESTER, DispatchSuggester } from '../common/ports';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Leader } from '../livestream/leader.entity';
import { LivestreamSession } from '../livestream/livestream-session.entity';
import { Ticket } from '../tickets/ticket.entity';
import { writeTicketTopics } from '../tickets/ticket-topics';
import type { Role } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { TopicsService } from '../topics/topics.service';
import { previousQuarter, quarterOf } from '../calendar/quarter';
import { generateDemoTickets } from './demo-generator';

export const DEMO_SEED = 12341;
export const DEMO_TICKETS = 3000;
export const DEMO_QUARTERS = 5;
const BATCH = 250;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

interface DemoAccount {
  username: string;
  role: Role;
  displayName: string;
  departmentCode?: string;
  email?: string;
}

const ACCOUNTS: DemoAccount[] = [
  { username: 'demo-operator', role: 'operator', displayName: '演示话务员' },
  { username: 'demo-moderator', role: 'moderator', displayName: '演示主持人' },
  { username: 'demo-leader1', role: 'leader', displayName: '演示领导(市政市容委)', departmentCode: 'city', email: 'leader1@xicheng.example' },
  { username: 'demo-leader2', role: 'leader', displayName: '演示领导(房管局)', departmentCode: 'realty', email: 'leader2@xicheng.example' },
  { username: 'demo-clerk', role: 'clerk', displayName: '演示窗口人员', departmentCode: 'service_center' },
];

const LEADERS: Array<{ name: string; title: string; departmentCode: string; email: string; account?: string }> = [
  { name: '周明远', title: '区市政市容委主任', departmentCode: 'city', email: 'leader1@xicheng.example', account: 'demo-leader1' },
  { name: '林晓红', title: '区房管局局长', departmentCode: 'realty', email: 'leader2@xicheng.example', account: 'demo-leader2' },
  { name: '郑国强', title: '区城管执法监察局局长', departmentCode: 'enforcement', email: 'leader3@xicheng.example' },
  { name: '何静', title: '区教委主任', departmentCode: 'edu', email: 'leader4@xicheng.example' },
  { name: '高建华', title: '区住房城市建设委主任', departmentCode: 'housing', email: 'leader5@xicheng.example' },
  { name: '马丽', title: '区人力社保局局长', departmentCode: 'hrss', email: 'leader6@xicheng.example' },
];

/**
 * Demo data for the embedded default (DEMO_DATA, on by default with SQLite outside tests): staff accounts with
 * random passwords printed once, leaders, livestream sessions (one live now, upcoming, past) and a few thousand
 * reproducible hotline tickets over several quarters. Runs only when the database has no tickets, once across instances.
 */
@Injectable()
export class DemoService implements OnApplicationBootstrap {
  private readonly log = new Logger('DemoData');

  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @InjectRepository(Ticket) private readonly tickets: Repository<Ticket>,
    @InjectRepository(Leader) private readonly leaders: Repository<Leader>,
    @InjectRepository(LivestreamSession) private readonly sessions: Repository<LivestreamSession>,
    private readonly users: UsersService,
    private readonly clock: ClockService,
    private readonly locks: LockService,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.cfg.demoData) return;
    await this.locks.runExclusive('demo-data', 10 * 60_000, () => this.seedIfEmpty());
  }

  /** Seeds everything when there is no ticket yet; returns whether it did. */
  async seedIfEmpty(): Promise<boolean> {
    if ((await this.tickets.count()) > 0) return false;
    const started = Date.now();
    const accounts = await this.seedAccounts();
    const leaderIds = await this.seedLeaders(accounts);
    const sessions = await this.seedSessions(leaderIds);
    const n = await this.seedTickets();
    const reports = await this.buildReports();
    this.log.log(`demo data: ${n} tickets, ${leaderIds.length} leaders, ${sessions} livestream sessions, topic reports ${reports.join(', ') || 'none'} in ${Date.now() - started} ms (DEMO_DATA=false turns this off)`);
    return true;
  }

  private async seedAccounts(): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    const created: string[] = [];
    for (const a of ACCOUNTS) {
      const existing = await this.users.findForLogin(a.username);
      if (existing) {
        ids.set(a.username, existing.id);
        continue;
      }
      const password = randomBytes(9).toString('base64url');
      const u = await this.users.create({ username: a.username, password, role: a.role, displayName: a.displayName, departmentCode: a.departmentCode, email: a.email });
      ids.set(a.username, u.id);
      created.push(`${a.username} / ${password}`);
    }
    // Demo accounts only: their passwords are shown once so a newcomer can log in to the console.
    if (created.length) this.log.warn(`demo accounts (role in the name; shown once, change or delete them for real use): ${created.join(', ')}`);
    return ids;
  }

  private async seedLeaders(accounts: Map<string, number>): Promise<number[]> {
    const ids: number[] = [];
    for (const l of LEADERS) {
      const found = await this.leaders.findOne({ where: { email: l.email } });
      if (found) {
        ids.push(found.id);
        continue;
      }
      const saved = await this.leaders.save(
        this.leaders.create({ name: l.name, title: l.title, departmentCode: l.departmentCode, email: l.email, userId: l.account ? (accounts.get(l.account) ?? null) : null }),
      );
      ids.push(saved.id);
    }
    return ids;
  }

  private async seedSessions(leaderIds: number[]): Promise<number> {
    if ((await this.sessions.count()) > 0) return 0;
    const now = this.clock.nowMs();
    // Sessions start on the hour, local time: 10:00 or 15:00 Asia/Shanghai.
    const at = (daysFromNow: number, localHour: number) => {
      const d = new Date(now + daysFromNow * DAY + 8 * HOUR);
      d.setUTCHours(localHour, 0, 0, 0);
      return new Date(d.getTime() - 8 * HOUR);
    };
    const rows: Array<Partial<LivestreamSession>> = [
      { title: '市容环境与背街小巷治理——市政市容委主任在线访谈', description: '聚焦供暖、停车和垃圾分类，回应居民关切。', departmentCode: 'city', leaderIds: [leaderIds[0]], topicKeys: ['heating', 'parking', 'garbage'], startsAt: new Date(now - 20 * 60_000), endsAt: new Date(now + 70 * 60_000), planned: true, status: 'live', streamUrl: null },
      { title: '物业服务与老旧小区改造', description: '房管局局长解读物业管理新规，回答改造进度问题。', departmentCode: 'realty', leaderIds: [leaderIds[1]], topicKeys: ['property', 'old_community'], startsAt: at(2, 10), endsAt: at(2, 11), planned: true, status: 'scheduled', streamUrl: null },
      { title: '违法建设与占道经营整治', description: null, departmentCode: 'enforcement', leaderIds: [leaderIds[2]], topicKeys: ['illegal_building', 'street_vending'], startsAt: at(7, 15), endsAt: at(7, 16), planned: true, status: 'scheduled', streamUrl: null },
      { title: '义务教育入学政策解读', description: '教委主任介绍入学登记与片区划分。', departmentCode: 'edu', leaderIds: [leaderIds[3]], topicKeys: ['school_enrollment'], startsAt: at(14, 10), endsAt: at(14, 11), planned: true, status: 'scheduled', streamUrl: null },
      { title: '加装电梯怎么办——住建委主任答疑', description: null, departmentCode: 'housing', leaderIds: [leaderIds[4]], topicKeys: ['elevator', 'old_community'], startsAt: at(21, 15), endsAt: at(21, 16), planned: false, status: 'scheduled', streamUrl: null },
      { title: '稳就业与社保服务', description: '人力社保局局长介绍就业补贴和社保办理。', departmentCode: 'hrss', leaderIds: [leaderIds[5]], topicKeys: ['employment', 'social_insurance'], startsAt: at(-7, 10), endsAt: at(-7, 11), planned: true, status: 'ended', streamUrl: null },
      { title: '冬季供暖保障', description: null, departmentCode: 'city', leaderIds: [leaderIds[0]], topicKeys: ['heating'], startsAt: at(-21, 15), endsAt: at(-21, 16), planned: true, status: 'ended', streamUrl: null },
      { title: '老旧小区综合整治进展', description: null, departmentCode: 'realty', leaderIds: [leaderIds[1]], topicKeys: ['old_community'], startsAt: at(-35, 10), endsAt: at(-35, 11), planned: true, status: 'ended', streamUrl: null },
    ];
    await this.sessions.save(rows.map((r) => this.sessions.create(r)));
    return rows.length;
  }

  /**
   * The hot-topic reports of the previous and the current quarter, through the topics module's own run, so the
   * console's report has data at once (its start-up catch-up may have fired before the tickets were in).
   */
  private async buildReports(): Promise<string[]> {
    let topics: TopicsService;
    try {
      topics = this.moduleRef.get(TopicsService, { strict: false });
    } catch {
      return [];
    }
    const cur = quarterOf(this.clock.now());
    const done: string[] = [];
    for (const q of [previousQuarter(cur), cur]) {
      for (let attempt = 0; attempt < 60; attempt++) {
        try {
          await topics.start(q, true);
          done.push(q);
          break;
        } catch (e) {
          if ((e as { status?: number }).status !== 409) {
            this.log.warn(`demo topic report ${q}: ${(e as Error).message}`);
            break;
          }
          await new Promise((r) => setTimeout(r, 500)); // another run of that quarter is going: wait for it, then redo with all tickets
        }
      }
    }
    return done;
  }

  private suggester(): DispatchSuggester | undefined {
    try {
      return this.moduleRef.get<DispatchSuggester>(DISPATCH_SUGGESTER, { strict: false });
    } catch {
      return undefined;
    }
  }

  private async seedTickets(): Promise<number> {
    const rows = generateDemoTickets({ seed: DEMO_SEED, now: this.clock.now(), total: DEMO_TICKETS, quarters: DEMO_QUARTERS });
    const suggester = this.suggester();
    for (let i = 0; i < rows.length; i += BATCH) {
      const values = rows.slice(i, i + BATCH).map(({ themeTopic: _t, ...r }) => ({
        ...r,
        leaderOnDuty: false,
        topics: suggester ? suggester.tag(r.content) : [],
      }));
      await this.tickets.manager.transaction(async (m) => {
        await m.createQueryBuilder().insert().into(Ticket).values(values).execute();
        const tagged = values.filter((v) => v.topics.length);
        if (!tagged.length) return;
        const byNo = new Map(tagged.map((v) => [v.ticketNo, v.topics]));
        const ids = await m.getRepository(Ticket).find({ select: { id: true, ticketNo: true }, where: { ticketNo: In([...byNo.keys()]) } });
        await writeTicketTopics(m, ids.map((t) => [t.id, byNo.get(t.ticketNo) ?? []]), false);
      });
    }
    return rows.length;
  }
}
