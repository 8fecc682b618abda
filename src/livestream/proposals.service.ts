import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { localMidnight, previousQuarter, quarterRange } from '../calendar/quarter';
import { ClockService } from '../common/clock.service';
import { DepartmentsService } from '../departments/departments.service';
import { ProposalDto } from './dto/livestream.dto';
import { Leader } from './leader.entity';
import { LeadersService } from './leaders.service';
import { LivestreamService, SessionView } from './livestream.service';
import { Appointment } from './schedule-rules';
import { ScheduleService } from './schedule.service';

/** The figures of a hot topic the proposals use (from the topics report, or counted from tickets). */
export interface HotTopic {
  key: string;
  label: string;
  kind: string;
  ticketCount: number;
  share: number;
  growth: number;
  heatScore: number;
  unresolvedRate: number | null;
  dissatisfiedRate: number | null;
  topDepartments: Array<{ code: string; count: number }>;
}

export interface Proposal {
  title: string;
  description: string;
  topic: { key: string; label: string; kind: string };
  topicKeys: string[];
  departmentCode: string;
  departmentName: string | null;
  leaderIds: number[];
  /** null when the department has no leader registered yet (add one, then propose again). */
  leader: { id: number; name: string; title: string } | null;
  startsAt: string;
  endsAt: string;
  why: { heatScore: number; ticketCount: number; share: number; growth: number; unresolvedRate: number | null; dissatisfiedRate: number | null; departmentTickets: number; rank: number; text: string };
}

const DAY = 86_400_000;

@Injectable()
export class ProposalsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly clock: ClockService,
    private readonly departments: DepartmentsService,
    private readonly leaders: LeadersService,
    private readonly sessions: LivestreamService,
    private readonly schedule: ScheduleService,
  ) {}

  /** The previous quarter's topics by heat: the stored topics report when there is one, else counts of the tickets' topics (ticket_topics). */
  async hotTopics(quarter: string): Promise<{ source: 'report' | 'tickets'; topics: HotTopic[] }> {
    try {
      const rows = (await this.ds.query(`SELECT topics FROM topic_reports WHERE quarter = ? AND status = 'done'`, [quarter])) as Array<{ topics: string | null }>;
      const parsed = rows[0]?.topics ? (JSON.parse(rows[0].topics) as HotTopic[]) : [];
      if (parsed.length) return { source: 'report', topics: [...parsed].sort((a, b) => b.heatScore - a.heatScore) };
    } catch {
      /* no report table yet: count from tickets */
    }
    const rows = (await this.ds.query(`SELECT tt.topics AS topics, t.departmentCode AS departmentCode FROM tickets t JOIN ticket_topics tt ON tt.ticketId = t.id WHERE t.quarter = ?`, [quarter])) as Array<{ topics: string; departmentCode: string | null }>;
    const total = (await this.ds.query(`SELECT COUNT(*) AS n FROM tickets WHERE quarter = ?`, [quarter])) as Array<{ n: number | string }>;
    const all = Number(total[0]?.n ?? 0) || 1;
    const by = new Map<string, { n: number; depts: Map<string, number> }>();
    for (const r of rows) {
      for (const k of r.topics.split(',').filter(Boolean)) {
        const e = by.get(k) ?? { n: 0, depts: new Map() };
        e.n++;
        if (r.departmentCode) e.depts.set(r.departmentCode, (e.depts.get(r.departmentCode) ?? 0) + 1);
        by.set(k, e);
      }
    }
    const topics = [...by.entries()]
      .map(([key, e]) => ({
        key,
        label: key,
        kind: key.startsWith('emerging:') ? 'emerging' : 'taxonomy',
        ticketCount: e.n,
        share: e.n / all,
        growth: 0,
        heatScore: e.n,
        unresolvedRate: null,
        dissatisfiedRate: null,
        topDepartments: [...e.depts.entries()].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count),
      }))
      .sort((a, b) => b.heatScore - a.heatScore || a.key.localeCompare(b.key));
    return { source: 'tickets', topics };
  }

  /** Candidate slots of the quarter from the weekly slots, earliest first (not in the past). */
  private slots(quarter: string, minutes: number): Array<{ startsAt: Date; endsAt: Date }> {
    const { from, to } = quarterRange(quarter);
    const now = this.clock.nowMs();
    const out: Array<{ startsAt: Date; endsAt: Date }> = [];
    for (let t = from.getTime(); t < to.getTime(); t += DAY) {
      const ymd = new Date(t + 8 * 3600_000).toISOString().slice(0, 10);
      const dow = new Date(`${ymd}T00:00:00Z`).getUTCDay() || 7;
      for (const w of [...this.schedule.file.weeklySlots].sort((a, b) => a.start.localeCompare(b.start))) {
        if (w.weekday !== dow) continue;
        const [h, m] = w.start.split(':').map(Number);
        const [eh, em] = w.end.split(':').map(Number);
        const start = localMidnight(ymd).getTime() + (h * 60 + m) * 60_000;
        const end = Math.min(start + minutes * 60_000, localMidnight(ymd).getTime() + (eh * 60 + em) * 60_000);
        if (start >= now && end > start) out.push({ startsAt: new Date(start), endsAt: new Date(end) });
      }
    }
    return out;
  }

  async propose(quarter: string): Promise<{ quarter: string; basedOn: string; source: string; proposals: Proposal[]; skipped: Array<{ topic: string; reason: string }> }> {
    const prev = previousQuarter(quarter);
    const { source, topics } = await this.hotTopics(prev);
    const topN = this.schedule.file.proposals?.topN ?? 5;
    const minutes = this.schedule.file.proposals?.durationMinutes ?? 60;
    const { from, to } = quarterRange(quarter);
    const active = await this.sessions.activeBetween(from, to);
    const covered = new Set(active.flatMap((s) => s.topicKeys));
    const leaders = await this.leaders.all();
    const byId = new Map(leaders.map((l) => [l.id, l]));
    const others: Appointment[] = await this.schedule.appointments(this.ds.manager, from, to);
    const slots = this.slots(quarter, minutes);
    const proposals: Proposal[] = [];
    const skipped: Array<{ topic: string; reason: string }> = [];
    topics.slice(0, topN).forEach((t, i) => {
      if (covered.has(t.key)) {
        skipped.push({ topic: t.key, reason: 'covered by a session of the quarter' });
        return;
      }
      // The responsible department: the one that handled most of the topic's tickets.
      const dept = t.topDepartments[0];
      if (!dept) {
        skipped.push({ topic: t.key, reason: 'no department handled its tickets' });
        return;
      }
      const candidates = leaders.filter((l) => l.departmentCode === dept.code);
      // The earliest slot where a leader of it is free (or, with no leader registered, where a room is free).
      let pick: { slot: { startsAt: Date; endsAt: Date }; leader: Leader | null } | undefined;
      for (const slot of slots) {
        const free = (ids: number[]) => !this.schedule.clash({ kind: 'session', id: null, label: t.label, leaderIds: ids, ...slot }, others, byId);
        const leader = candidates.length ? candidates.find((l) => free([l.id])) : undefined;
        if (leader || (!candidates.length && free([]))) {
          pick = { slot, leader: leader ?? null };
          break;
        }
      }
      if (!pick) {
        skipped.push({ topic: t.key, reason: 'no free slot in the quarter' });
        return;
      }
      const title = `${t.label}热点问题政民互动`;
      others.push({ kind: 'session', id: null, label: `${title} (proposed)`, leaderIds: pick.leader ? [pick.leader.id] : [], ...pick.slot });
      const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
      const text = `${prev} 热度第 ${i + 1}（heatScore ${t.heatScore.toFixed(2)}）：${t.ticketCount} 件，占 ${pct(t.share)}，环比 ${t.growth >= 0 ? '+' : ''}${pct(t.growth)}，未解决率 ${pct(t.unresolvedRate)}，不满意率 ${pct(t.dissatisfiedRate)}；${this.departments.name(dept.code) ?? dept.code} 承办 ${dept.count} 件，最多。${pick.leader ? '' : '该单位尚未登记领导，确认前请先添加。'}`;
      proposals.push({
        title,
        description: text,
        topic: { key: t.key, label: t.label, kind: t.kind },
        topicKeys: [t.key],
        departmentCode: dept.code,
        departmentName: this.departments.name(dept.code) ?? null,
        leaderIds: pick.leader ? [pick.leader.id] : [],
        leader: pick.leader ? { id: pick.leader.id, name: pick.leader.name, title: pick.leader.title } : null,
        startsAt: pick.slot.startsAt.toISOString(),
        endsAt: pick.slot.endsAt.toISOString(),
        why: { heatScore: t.heatScore, ticketCount: t.ticketCount, share: t.share, growth: t.growth, unresolvedRate: t.unresolvedRate, dissatisfiedRate: t.dissatisfiedRate, departmentTickets: dept.count, rank: i + 1, text },
      });
    });
    return { quarter, basedOn: prev, source, proposals, skipped };
  }

  /** Create the confirmed proposals (planned=false) all-or-nothing; the leaders get their invitations. */
  async confirm(list: ProposalDto[]): Promise<SessionView[]> {
    if (!list.length) throw new BadRequestException(['proposals: nothing to confirm']);
    return this.sessions.createMany(list.map((p) => ({ title: p.title, description: p.description, departmentCode: p.departmentCode, leaderIds: p.leaderIds, topicKeys: p.topicKeys, startsAt: p.startsAt, endsAt: p.endsAt, planned: false })));
  }
}
