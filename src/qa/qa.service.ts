import { Injectable, Logger, NotFoundException, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import type { SocketIdentity } from '../auth/socket-auth';
import { ClockService } from '../common/clock.service';
import { DomainEvents } from '../common/domain-events';
import type { Page } from '../common/pagination';
import { RateLimitService } from '../common/rate-limit.service';
import { Leader } from '../livestream/leader.entity';
import { LivestreamSession } from '../livestream/livestream-session.entity';
import { AnswerQuestionDto, AskQuestionDto, JoinSessionDto, ModerateQuestionDto, QuestionRefDto } from './dto/qa.dto';
import { QaEmitter, sessionRoom, staffRoom } from './qa-emitter';
import { Ack, QaError, toAck, validateDto } from './qa-errors';
import { PublicAnswer, PublicQuestion, QaQuestion, QaUpvote, toPublicAnswer, toPublicQuestion } from './question.entity';
import { SensitiveWordsService } from './sensitive-words.service';

/** What the service needs of a socket: its identity and its rooms. */
export interface LiveClient {
  id: string;
  data: SocketIdentity & { qaSessionId?: number };
  join(room: string): unknown;
  leave(room: string): unknown;
}

export interface PublicSession {
  id: number;
  title: string;
  description: string | null;
  departmentCode: string;
  leaderIds: number[];
  leaders: Array<{ id: number; name: string; title: string }>;
  topicKeys: string[];
  startsAt: string;
  endsAt: string;
  planned: boolean;
  status: string;
  streamUrl: string | null;
}

/** Default gap between two questions of one viewer (QA_ASK_INTERVAL_MS overrides). */
export const ASK_INTERVAL_MS = Number(process.env.QA_ASK_INTERVAL_MS) > 0 ? Number(process.env.QA_ASK_INTERVAL_MS) : 20_000;
const MAX_APPROVED_ON_JOIN = 500;
const MAX_PENDING_ON_JOIN = 200;
/** How long one join snapshot of a session is shared (upvote counts in it may lag by this much). */
const SNAPSHOT_TTL_MS = 500;

const isDuplicate = (e: unknown) =>
  e instanceof QueryFailedError &&
  /ER_DUP_ENTRY|SQLITE_CONSTRAINT|UNIQUE constraint|Duplicate entry/i.test(`${(e.driverError as { code?: string })?.code ?? ''} ${e.message}`);

/** Strips control characters (keeps the text otherwise verbatim: it is shown as text, never as HTML). */
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').trim();

/**
 * Every rule of live Q&A: who may do what, the moderation queue, rate limit, sensitive words, upvotes,
 * answers and highlights; persists, then announces through QaEmitter. Each socket handler returns an ack.
 */
@Injectable()
export class QaService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(QaService.name);
  private off?: () => void;
  private readonly snapshots = new Map<number, { at: number; p: Promise<{ session: PublicSession; questions: PublicQuestion[] }> }>();

  constructor(
    @InjectRepository(QaQuestion) private readonly questions: Repository<QaQuestion>,
    @InjectRepository(QaUpvote) private readonly upvotes: Repository<QaUpvote>,
    @InjectRepository(LivestreamSession) private readonly sessions: Repository<LivestreamSession>,
    @InjectRepository(Leader) private readonly leaders: Repository<Leader>,
    private readonly words: SensitiveWordsService,
    private readonly limits: RateLimitService,
    private readonly clock: ClockService,
    private readonly emitter: QaEmitter,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    this.off = this.events.on('session.changed', ({ sessionId, status }) => {
      this.snapshots.delete(sessionId);
      this.emitter.toSession(sessionId, 'session:status', { sessionId, status });
    });
  }

  /**
   * What `session:join` returns to viewers, shared by the joins of one short window (a crowd joining at the start
   * of a stream costs one query, not thousands). This instance's approvals, answers and highlights drop it at once;
   * other instances' changes show within SNAPSHOT_TTL_MS, and the joined socket receives every later broadcast anyway.
   */
  private snapshot(session: LivestreamSession): Promise<{ session: PublicSession; questions: PublicQuestion[] }> {
    const have = this.snapshots.get(session.id);
    const now = Date.now();
    if (have && now - have.at < SNAPSHOT_TTL_MS) return have.p;
    const p = (async () => {
      const approved = await this.questions.find({
        where: { sessionId: session.id, status: 'approved' },
        order: { upvotes: 'DESC', createdAt: 'ASC', id: 'ASC' },
        take: MAX_APPROVED_ON_JOIN,
      });
      return { session: await this.publicSession(session), questions: approved.map(toPublicQuestion) };
    })();
    this.snapshots.set(session.id, { at: now, p });
    p.catch(() => this.snapshots.delete(session.id));
    if (this.snapshots.size > 1000) this.snapshots.delete(this.snapshots.keys().next().value!);
    return p;
  }

  onModuleDestroy(): void {
    this.off?.();
  }

  private ack<T extends object>(fn: () => Promise<T>): Promise<Ack<T>> {
    return toAck(fn, (e) => this.log.error(`live Q&A handler failed: ${(e as Error)?.message ?? String(e)}`));
  }

  // ───────────────────────── socket events ─────────────────────────

  /** `session:join {sessionId}` → `{ok, session, questions}`; moderators/admins also get pending ones and the staff room. */
  join(client: LiveClient, body: unknown) {
    return this.ack(async () => {
      const dto = await validateDto(JoinSessionDto, body);
      const session = await this.findSession(dto.sessionId);
      const staff = this.isModerator(client.data);
      const prev = client.data.qaSessionId;
      if (prev !== undefined && prev !== session.id) {
        await client.leave(sessionRoom(prev));
        await client.leave(staffRoom(prev));
        this.emitter.viewersChanged(prev);
      }
      await client.join(sessionRoom(session.id));
      if (staff) await client.join(staffRoom(session.id));
      client.data.qaSessionId = session.id;
      this.emitter.viewersChanged(session.id);
      const snap = await this.snapshot(session);
      if (!staff) return { session: snap.session, questions: snap.questions };
      const pending = await this.questions.find({ where: { sessionId: session.id, status: 'pending' }, order: { createdAt: 'ASC', id: 'ASC' }, take: MAX_PENDING_ON_JOIN });
      return { session: snap.session, questions: [...snap.questions, ...pending.map(toPublicQuestion)] };
    });
  }

  /** `question:ask {sessionId, text, nickname?}` → `{ok, questionId, status:"pending"}`. */
  ask(client: LiveClient, body: unknown) {
    return this.ack(async () => {
      const dto = await validateDto(AskQuestionDto, body);
      const text = clean(dto.text);
      const nickname = dto.nickname === undefined ? null : clean(dto.nickname) || null;
      if (!text) throw new QaError('bad_request', 'text must not be blank');
      const session = await this.findSession(dto.sessionId);
      if (session.status === 'ended' || session.status === 'cancelled') throw new QaError('conflict', `session is ${session.status}; questions are closed`);
      const key = this.askerKey(client.data);
      const rl = await this.limits.hit(`qa:ask:${key}`, 1, ASK_INTERVAL_MS);
      if (!rl.allowed) throw new QaError('rate_limited', `one question per ${Math.round(ASK_INTERVAL_MS / 1000)} s; try again later`, { retryAfterMs: rl.retryAfterMs });
      if (this.words.contains(text) || (nickname && this.words.contains(nickname))) {
        throw new QaError('bad_request', 'the question contains words that cannot be published; please rephrase it');
      }
      const saved = await this.questions.save(
        this.questions.create({ sessionId: session.id, text, nickname, viewerKey: key, status: 'pending', upvotes: 0, highlighted: false, answerOnAir: false, createdAt: this.clock.now() }),
      );
      this.emitter.toStaff(session.id, 'question:pending', { question: toPublicQuestion(saved) });
      return { questionId: saved.id, status: 'pending' as const };
    });
  }

  /** `question:moderate {questionId, decision, reason?}` (moderator, admin): pending → approved | rejected. */
  moderate(client: LiveClient, body: unknown) {
    return this.ack(async () => {
      const user = this.requireRole(client.data, ['moderator']);
      const dto = await validateDto(ModerateQuestionDto, body);
      const q = await this.findQuestion(dto.questionId);
      const status = dto.decision === 'approve' ? 'approved' : 'rejected';
      const reason = dto.reason ? clean(dto.reason) || null : null;
      const r = await this.questions.update(
        { id: q.id, status: 'pending' },
        { status, rejectReason: status === 'rejected' ? reason : null, moderatedById: user.id, moderatedAt: this.clock.now() },
      );
      if (!r.affected) throw new QaError('conflict', `question ${q.id} was already moderated`);
      const fresh = await this.findQuestion(q.id);
      const question = toPublicQuestion(fresh);
      this.snapshots.delete(q.sessionId);
      if (status === 'approved') this.emitter.toSession(q.sessionId, 'question:approved', { question });
      else this.emitter.toStaff(q.sessionId, 'question:rejected', { questionId: q.id, reason });
      return { question };
    });
  }

  /** `question:upvote {questionId}` → `{ok, upvotes}`; once per viewerKey per question (unique index). */
  upvote(client: LiveClient, body: unknown) {
    return this.ack(async () => {
      const dto = await validateDto(QuestionRefDto, body);
      const q = await this.findQuestion(dto.questionId);
      if (q.status !== 'approved') throw new QaError('not_found', `question ${dto.questionId} not found`);
      const key = this.askerKey(client.data);
      try {
        await this.upvotes.insert({ questionId: q.id, viewerKey: key, createdAt: this.clock.now() });
      } catch (e) {
        if (isDuplicate(e)) throw new QaError('conflict', 'you already upvoted this question');
        throw e;
      }
      await this.questions.increment({ id: q.id }, 'upvotes', 1);
      const row = await this.questions.findOne({ where: { id: q.id }, select: { id: true, upvotes: true } });
      const upvotes = row?.upvotes ?? q.upvotes + 1;
      this.emitter.upvoted(q.sessionId, q.id, upvotes);
      return { upvotes };
    });
  }

  /** `question:answer {questionId, text, onAir?}` (a leader assigned to the session, moderator, admin). */
  answer(client: LiveClient, body: unknown) {
    return this.ack(async () => {
      const user = this.requireRole(client.data, ['leader', 'moderator']);
      const dto = await validateDto(AnswerQuestionDto, body);
      const q = await this.findQuestion(dto.questionId);
      const session = await this.findSession(q.sessionId);
      const leader = await this.answeringLeader(user, session, dto.leaderId);
      if (q.status !== 'approved') throw new QaError('conflict', `question ${q.id} is ${q.status}; only approved questions are answered`);
      const text = clean(dto.text);
      if (!text) throw new QaError('bad_request', 'text must not be blank');
      const answeredAt = this.clock.now();
      await this.questions.update(
        { id: q.id },
        { answerText: text, answerLeaderName: leader?.name ?? user.displayName, answerLeaderId: leader?.id ?? null, answeredById: user.id, answeredAt, answerOnAir: !!dto.onAir },
      );
      this.snapshots.delete(q.sessionId);
      const answer: PublicAnswer = toPublicAnswer({ ...q, answerText: text, answerLeaderName: leader?.name ?? user.displayName, answeredAt, answerOnAir: !!dto.onAir })!;
      this.emitter.toSession(q.sessionId, 'question:answered', { questionId: q.id, answer });
      return { questionId: q.id, answer };
    });
  }

  /** `question:highlight {questionId}` (moderator, leader of the session): the question now answered on air. */
  highlight(client: LiveClient, body: unknown) {
    return this.ack(async () => {
      const user = this.requireRole(client.data, ['leader', 'moderator']);
      const dto = await validateDto(QuestionRefDto, body);
      const q = await this.findQuestion(dto.questionId);
      const session = await this.findSession(q.sessionId);
      if (user.role === 'leader') await this.answeringLeader(user, session, undefined);
      if (q.status !== 'approved') throw new QaError('conflict', `question ${q.id} is ${q.status}; only approved questions are highlighted`);
      await this.questions.update({ sessionId: q.sessionId, highlighted: true }, { highlighted: false });
      await this.questions.update({ id: q.id }, { highlighted: true });
      this.snapshots.delete(q.sessionId);
      this.emitter.toSession(q.sessionId, 'question:highlighted', { questionId: q.id });
      return { questionId: q.id };
    });
  }

  /** A socket left: its session's viewer count changed. */
  disconnected(client: LiveClient): void {
    const s = client.data.qaSessionId;
    if (s !== undefined) this.emitter.viewersChanged(s);
  }

  /** A socket came back with its state (connection state recovery): count it again. */
  connected(client: LiveClient & { recovered?: boolean }): void {
    const s = client.data.qaSessionId;
    if (client.recovered && s !== undefined) this.emitter.viewersChanged(s);
  }

  // ───────────────────────── REST ─────────────────────────

  /** `GET /api/livestream/sessions/:id/questions`: approved questions with their answers, most upvoted first. */
  async listApproved(sessionId: number, page: number, pageSize: number): Promise<Page<PublicQuestion>> {
    const exists = await this.sessions.exists({ where: { id: sessionId } });
    if (!exists) throw new NotFoundException(`session ${sessionId} not found`);
    const [rows, total] = await this.questions.findAndCount({
      where: { sessionId, status: 'approved' },
      order: { upvotes: 'DESC', createdAt: 'ASC', id: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items: rows.map(toPublicQuestion), total, page, pageSize };
  }

  /** Re-reads config/sensitive-words.txt now (it is also watched). */
  reloadWords(): { words: number } {
    return { words: this.words.reload() };
  }

  // ───────────────────────── rules ─────────────────────────

  private isModerator(id: SocketIdentity): boolean {
    return id.user?.role === 'moderator' || id.user?.role === 'admin';
  }

  private requireRole(id: SocketIdentity, roles: string[]) {
    const user = id.user;
    if (!user) throw this.refuse('anonymous viewer', 'staff only: sign in');
    if (user.role !== 'admin' && !roles.includes(user.role)) throw this.refuse(`user ${user.id} (${user.role})`, `role ${user.role} may not do this`);
    return user;
  }

  /** A `forbidden` ack, logged with who (user id and role, never names or phones) and why. */
  private refuse(who: string, why: string): QaError {
    this.log.warn(`live Q&A refused: ${who}: ${why}`);
    return new QaError('forbidden', why);
  }

  private askerKey(id: SocketIdentity): string {
    if (id.viewerKey) return id.viewerKey;
    if (id.user) return `staff-${id.user.id}`;
    throw new QaError('unauthorized', 'connect with auth.viewerKey or auth.token');
  }

  /** A leader must be one of the session's leaders; moderators/admins write on behalf of one (the first by default). */
  private async answeringLeader(user: NonNullable<SocketIdentity['user']>, session: LivestreamSession, leaderId: number | undefined): Promise<Leader | null> {
    const ids = session.leaderIds ?? [];
    if (user.role === 'leader') {
      const mine = await this.leaders.find({ where: { userId: user.id } });
      const l = mine.find((x) => ids.includes(x.id));
      if (!l) throw this.refuse(`user ${user.id} (leader)`, 'only a leader assigned to this session may answer its questions');
      return l;
    }
    if (leaderId !== undefined && !ids.includes(leaderId)) throw new QaError('bad_request', `leader ${leaderId} is not assigned to this session`);
    const id = leaderId ?? ids[0];
    return id === undefined ? null : await this.leaders.findOne({ where: { id } });
  }

  private async findSession(id: number): Promise<LivestreamSession> {
    const s = await this.sessions.findOne({ where: { id } });
    if (!s) throw new QaError('not_found', `session ${id} not found`);
    return s;
  }

  private async findQuestion(id: number): Promise<QaQuestion> {
    const q = await this.questions.findOne({ where: { id } });
    if (!q) throw new QaError('not_found', `question ${id} not found`);
    return q;
  }

  private async publicSession(s: LivestreamSession): Promise<PublicSession> {
    const ids = (s.leaderIds ?? []).filter((x) => Number.isInteger(x));
    const leaders = ids.length ? await this.leaders.find({ where: ids.map((id) => ({ id })) }) : [];
    return {
      id: s.id,
      title: s.title,
      description: s.description,
      departmentCode: s.departmentCode,
      leaderIds: ids,
      leaders: leaders.map((l) => ({ id: l.id, name: l.name, title: l.title })),
      topicKeys: s.topicKeys ?? [],
      startsAt: new Date(s.startsAt).toISOString(),
      endsAt: new Date(s.endsAt).toISOString(),
      planned: !!s.planned,
      status: s.status,
      streamUrl: s.streamUrl,
    };
  }
}
