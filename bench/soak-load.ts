/**
 * The load of the soak (`npm run soak`, bench/soak.ts) and of its short version in `npm test`
 * (test/soak-short.e2e-spec.ts): real socket.io clients and HTTP calls against running app instances.
 *
 * - ViewerCrowd: viewers joined to one live session (`/live`), each asking now and then (never faster than the
 *   app's 1 question / 20 s limit) and upvoting often; optional churners that come, look at the page, and leave.
 *   Every `question:answered` a viewer receives is timed against the leader's emit time carried in the answer
 *   (`Date.now()` of the same machine, so several client processes share one clock).
 * - StaffCrew: moderators approve/reject what is asked, leaders highlight and answer, clerks take applications and
 *   move them through their states while each applicant follows its receipt on `/window` (and rates it at the end),
 *   public board screens receive `board:update` and poll `GET /api/window/board`.
 *
 * Any failed ack, ack timeout, unexpected disconnect, connect error or unexpected HTTP status is an error.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { io, Socket } from 'socket.io-client';

export interface LoadParams {
  /** Mean seconds between two questions of one viewer (never below ASK_MIN_GAP_S). */
  askEveryS: number;
  /** Mean seconds between two upvotes of one viewer. */
  upvoteEveryS: number;
  /** Mean seconds between two answers of one leader. */
  answerEveryS: number;
  /** Share of asked questions the moderators approve (the others are rejected). */
  approveShare: number;
  /** Mean seconds between two actions (new application or next state) of one clerk. */
  clerkEveryS: number;
  /** Mean seconds a churning viewer stays before it leaves (and comes back as a new one). */
  churnStayS: number;
}

/** The app's limit is 1 question per 20 s per viewer (QA_ASK_INTERVAL_MS); viewers keep well away from it. */
export const ASK_MIN_GAP_S = 25;
const ACK_MS = 30_000;

export interface StaffCreds {
  token: string;
  username: string;
}
export interface Scenario {
  sessionId: number;
  moderators: StaffCreds[];
  leaders: Array<StaffCreds & { leaderId: number }>;
  clerks: StaffCreds[];
  departments: string[];
}

// ───────────────────────────── errors and small helpers ─────────────────────────────

export class ErrorLog {
  readonly counts: Record<string, number> = {};
  readonly samples: string[] = [];
  /** Errors per minute of the run (from `start`), to see when they happened. */
  readonly byMinute: Record<number, number> = {};
  start = Date.now();
  add(kind: string, detail: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    const m = Math.floor((Date.now() - this.start) / 60_000);
    this.byMinute[m] = (this.byMinute[m] ?? 0) + 1;
    if (this.samples.length < 30) this.samples.push(`${kind}: ${detail}`.slice(0, 300));
  }
  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
  merge(o: { counts: Record<string, number>; samples: string[]; byMinute?: Record<number, number> }): void {
    for (const [k, v] of Object.entries(o.counts)) this.counts[k] = (this.counts[k] ?? 0) + v;
    for (const [k, v] of Object.entries(o.byMinute ?? {})) this.byMinute[Number(k)] = (this.byMinute[Number(k)] ?? 0) + v;
    for (const s of o.samples) if (this.samples.length < 30) this.samples.push(s);
  }
  toJSON() {
    return { counts: this.counts, samples: this.samples, ...(Object.keys(this.byMinute).length ? { byMinute: this.byMinute } : {}) };
  }
}

const rand = (a: number, b: number) => a + Math.random() * (b - a);
/** Exponential wait with the given mean (a Poisson process), in ms. */
const expMs = (meanS: number) => -Math.log(1 - Math.random()) * meanS * 1000;
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface HttpResult {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One REST call; a network failure is status 0. */
export async function http(base: string, method: string, path: string, body?: unknown, token?: string): Promise<HttpResult> {
  try {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(ACK_MS),
    });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: r.status, body: parsed };
  } catch (e) {
    return { status: 0, body: String((e as Error)?.message ?? e) };
  }
}

/** An HTTP call that must answer `want`; anything else is an error (5xx counted on its own). */
async function checked(errors: ErrorLog, what: string, want: number, base: string, method: string, path: string, body?: unknown, token?: string): Promise<HttpResult | null> {
  const r = await http(base, method, path, body, token);
  if (r.status === want) return r;
  errors.add(r.status >= 500 ? 'http_5xx' : r.status === 0 ? 'http_network' : 'http_unexpected', `${what}: ${method} ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
  return null;
}

function openSocket(url: string, auth: Record<string, unknown>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 });
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => {
      s.close();
      reject(e);
    });
  });
}

/** An emit with an ack that must be `{ok:true}`; anything else (error ack, timeout) is logged and gives null. */
async function call(errors: ErrorLog, s: Socket, event: string, payload: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    const r = await s.timeout(ACK_MS).emitWithAck(event, payload);
    if (r?.ok) return r;
    errors.add('ack_failed', `${event} ${JSON.stringify(payload).slice(0, 80)} → ${JSON.stringify(r).slice(0, 160)}`);
  } catch (e) {
    errors.add(s.connected ? 'ack_timeout' : 'ack_lost', `${event}: ${(e as Error).message}`);
  }
  return null;
}

/** Marks sockets we close on purpose, so only the other disconnects count as errors. */
function watchDisconnect(errors: ErrorLog, s: Socket, who: string): void {
  s.on('disconnect', (reason) => {
    if ((s as Socket & { closing?: boolean }).closing) return;
    errors.add('disconnect', `${who}: ${reason}`);
  });
}
function closeOnPurpose(s: Socket): void {
  (s as Socket & { closing?: boolean }).closing = true;
  s.close();
}

const QUESTIONS = [
  '小区供暖温度一直不达标，什么时候能解决？',
  '老旧小区加装电梯的补贴怎么申请？',
  '胡同里停车太难了，能不能增加夜间共享车位？',
  '孩子明年上小学，学区划片什么时候公布？',
  '楼下餐馆油烟太大，多次投诉没有结果。',
  '社区养老驿站的助餐服务能覆盖到我们小区吗？',
  '施工噪音晚上十点以后还在继续，谁来管？',
  '共享单车乱停放堵住了盲道。',
  '垃圾分类桶站离得太远，老人扔垃圾不方便。',
  '医保异地备案在哪里办理？',
];
const ANSWERS = [
  '这个问题我们已经记下了，相关部门会在三个工作日内给您回复。',
  '区里已经把这件事列入今年的民生实事，年底前完成。',
  '请您把具体地址留给12341热线，我们安排街道上门核实。',
  '政策已经出台，街道政务服务中心可以直接办理。',
];

// ───────────────────────────── viewers ─────────────────────────────

interface Viewer {
  s: Socket;
  nextAsk: number;
  nextUpvote: number;
  upvoted: Set<number>;
  seen: Set<number>;
  busy: boolean;
}

export interface CrowdResult {
  viewers: number;
  latencies: number[];
  deliveries: number;
  missing: number;
  duplicates: number;
  asks: number;
  upvotes: number;
  churnJoins: number;
  events: Record<string, number>;
  errors: { counts: Record<string, number>; samples: string[]; byMinute?: Record<number, number> };
  cpuMs: number;
}

/** `count` viewers (keys `<prefix>-<offset+i>`), viewer i on urls[(offset+i) % n], plus `churn` viewers coming and going. */
export class ViewerCrowd {
  readonly errors = new ErrorLog();
  private readonly viewers: Viewer[] = [];
  private readonly approved: number[] = [];
  private readonly approvedSet = new Set<number>();
  private readonly events: Record<string, number> = {};
  private readonly latencies: number[] = [];
  private deliveries = 0;
  private duplicates = 0;
  private asks = 0;
  private upvotes = 0;
  private churnJoins = 0;
  private running = false;
  private tick?: NodeJS.Timeout;
  private churners: Array<Promise<void>> = [];
  private readonly churnSockets = new Set<Socket>();
  private cpu0 = process.cpuUsage();
  private inflight = 0;

  constructor(
    private readonly urls: string[],
    private readonly sessionId: number,
    private readonly prefix: string,
    private readonly offset: number,
    private readonly count: number,
    private readonly churn: number,
    private readonly p: LoadParams,
  ) {}

  private count1(e: string) {
    this.events[e] = (this.events[e] ?? 0) + 1;
  }

  private listen(s: Socket, v: Viewer | null): void {
    s.on('question:approved', (m: { question: { id: number } }) => {
      this.count1('question:approved');
      const id = m.question.id;
      if (!this.approvedSet.has(id)) {
        this.approvedSet.add(id);
        this.approved.push(id);
      }
    });
    s.on('question:answered', (m: { questionId: number; answer: { text: string } }) => {
      this.count1('question:answered');
      if (!v) return;
      const t0 = Number(/soak t0=(\d+)/.exec(m.answer.text)?.[1]);
      if (v.seen.has(m.questionId)) {
        this.duplicates++;
        return;
      }
      v.seen.add(m.questionId);
      this.deliveries++;
      if (t0) this.latencies.push(Date.now() - t0);
    });
    for (const e of ['question:upvoted', 'question:highlighted', 'viewers:count', 'session:status', 'question:pending']) s.on(e, () => this.count1(e));
  }

  async connect(batch = 100): Promise<void> {
    for (let i = 0; i < this.count; i += batch) {
      const part = await Promise.all(
        Array.from({ length: Math.min(batch, this.count - i) }, async (_, j) => {
          const n = this.offset + i + j;
          const s = await openSocket(`${this.urls[n % this.urls.length]}/live`, { viewerKey: `${this.prefix}-${n}` });
          const v: Viewer = { s, nextAsk: 0, nextUpvote: 0, upvoted: new Set(), seen: new Set(), busy: false };
          this.listen(s, v);
          watchDisconnect(this.errors, s, `viewer ${n}`);
          const r = await call(this.errors, s, 'session:join', { sessionId: this.sessionId });
          if (r) for (const q of r.questions as Array<{ id: number }>) if (!this.approvedSet.has(q.id)) (this.approvedSet.add(q.id), this.approved.push(q.id));
          return v;
        }),
      );
      this.viewers.push(...part);
    }
  }

  start(): void {
    this.running = true;
    this.cpu0 = process.cpuUsage();
    this.errors.start = Date.now();
    const now = Date.now();
    for (const v of this.viewers) {
      v.nextAsk = now + expMs(this.p.askEveryS);
      v.nextUpvote = now + expMs(this.p.upvoteEveryS);
    }
    this.tick = setInterval(() => this.step(), 100);
    for (let i = 0; i < this.churn; i++) this.churners.push(this.churnLoop(i));
  }

  private step(): void {
    const now = Date.now();
    for (const v of this.viewers) {
      if (v.busy) continue;
      if (now >= v.nextAsk) {
        v.busy = true;
        // the next question is counted from the answer to this one (a slow server must not squeeze two into 20 s)
        v.nextAsk = Infinity;
        void this.ask(v.s).finally(() => {
          v.busy = false;
          v.nextAsk = Date.now() + Math.max(ASK_MIN_GAP_S * 1000, expMs(this.p.askEveryS));
        });
      } else if (now >= v.nextUpvote) {
        v.nextUpvote = now + expMs(this.p.upvoteEveryS);
        const q = this.choose(v);
        if (q === undefined) continue;
        v.busy = true;
        v.upvoted.add(q);
        this.inflight++;
        void call(this.errors, v.s, 'question:upvote', { questionId: q })
          .then((r) => r && this.upvotes++)
          .finally(() => ((v.busy = false), this.inflight--));
      }
    }
  }

  private async ask(s: Socket): Promise<void> {
    this.inflight++;
    const r = await call(this.errors, s, 'question:ask', { sessionId: this.sessionId, text: `${pick(QUESTIONS)}（${Math.floor(Math.random() * 1e6)}）`, nickname: Math.random() < 0.5 ? '热心市民' : undefined });
    if (r) this.asks++;
    this.inflight--;
  }

  /** Mostly the newest few approved questions (what is on top of the page), sometimes one further down. */
  private choose(v: Viewer): number | undefined {
    const a = this.approved;
    if (!a.length) return undefined;
    for (let tries = 0; tries < 4; tries++) {
      const span = Math.random() < 0.7 ? 3 : 20;
      const q = a[a.length - 1 - Math.floor(Math.random() * Math.min(span, a.length))];
      if (!v.upvoted.has(q)) return q;
    }
    return undefined;
  }

  private async churnLoop(i: number): Promise<void> {
    let round = 0;
    await sleep(Math.random() * this.p.churnStayS * 1000);
    while (this.running) {
      const n = `${this.prefix}-churn-${this.offset}-${i}-${round++}`;
      let s: Socket | undefined;
      try {
        s = await openSocket(`${this.urls[(i + round) % this.urls.length]}/live`, { viewerKey: n });
      } catch (e) {
        this.errors.add('connect_error', `churner ${n}: ${(e as Error).message}`);
        await sleep(1000);
        continue;
      }
      this.churnSockets.add(s);
      this.listen(s, null);
      watchDisconnect(this.errors, s, `churner ${n}`);
      this.inflight++;
      const [r] = await Promise.all([
        call(this.errors, s, 'session:join', { sessionId: this.sessionId }),
        // the page also loads the list by REST
        checked(this.errors, 'questions page', 200, this.urls[(i + round) % this.urls.length], 'GET', `/api/livestream/sessions/${this.sessionId}/questions?pageSize=20`),
      ]);
      this.inflight--;
      if (r) this.churnJoins++;
      const until = Date.now() + rand(0.5, 1.5) * this.p.churnStayS * 1000;
      while (this.running && Date.now() < until) await sleep(200);
      closeOnPurpose(s);
      this.churnSockets.delete(s);
      await sleep(rand(200, 2000));
    }
  }

  /** Stops asking and upvoting, waits for what is in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.tick) clearInterval(this.tick);
    await Promise.all(this.churners);
    for (let i = 0; i < 300 && this.inflight > 0; i++) await sleep(100);
  }

  /** Waits (up to ms) until every viewer has every one of `answered`. */
  async waitDelivered(answered: number[], ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end && this.viewers.some((v) => answered.some((q) => !v.seen.has(q)))) await sleep(100);
  }

  /** `answered`: every answer the leaders gave (ack ok); each joined viewer must have received each once. */
  result(answered: number[]): CrowdResult {
    const cpu = process.cpuUsage(this.cpu0);
    let missing = 0;
    for (const v of this.viewers) for (const q of answered) if (!v.seen.has(q)) missing++;
    return {
      viewers: this.viewers.length,
      latencies: this.latencies,
      deliveries: this.deliveries,
      missing,
      duplicates: this.duplicates,
      asks: this.asks,
      upvotes: this.upvotes,
      churnJoins: this.churnJoins,
      events: this.events,
      errors: this.errors.toJSON(),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    };
  }

  close(): void {
    for (const v of this.viewers) closeOnPurpose(v.s);
    for (const s of this.churnSockets) closeOnPurpose(s);
  }
}

// ───────────────────────────── staff ─────────────────────────────

type AppStatus = 'accepted' | 'under_review' | 'needs_supplement' | 'completed' | 'rejected';
interface Application {
  receiptNo: string;
  code: string;
  status: AppStatus;
  applicant: Socket;
  /** Status changes sent by a clerk, in order, with the time just before the PATCH. */
  expected: Array<{ status: string; t0: number; got?: number }>;
  busy: boolean;
  done: boolean;
}

export interface StaffResult {
  answered: Array<{ qid: number; t0: number }>;
  moderated: { approved: number; rejected: number };
  highlights: number;
  applications: { created: number; transitions: number; finished: number; rated: number; lookups: number };
  statusLatencies: number[];
  statusMissing: number;
  /** `application:status` "accepted" after the watch ack already said so (Redis: the creation event arriving late). */
  lateCreationEvents: number;
  board: { screens: number; updates: number; tooFast: number; polls: number; finalAccepted: number | null; sameDay: boolean };
  errors: { counts: Record<string, number>; samples: string[]; byMinute?: Record<number, number> };
  cpuMs: number;
}

const localDay = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** Moderators, leaders and clerks (staff i on urls[i % n]), applicants following their receipts, board screens. */
export class StaffCrew {
  readonly errors = new ErrorLog();
  private running = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly mods: Socket[] = [];
  private readonly leaders: Array<{ s: Socket; queue: number[]; busy: boolean }> = [];
  private readonly boards: Array<{ s: Socket; last: number; updates: number }> = [];
  private readonly upvotes = new Map<number, number>();
  private readonly answered: Array<{ qid: number; t0: number }> = [];
  private readonly apps: Application[] = [];
  private readonly moderated = { approved: 0, rejected: 0 };
  private highlights = 0;
  private readonly counts = { created: 0, transitions: 0, finished: 0, rated: 0, lookups: 0 };
  private readonly statusLatencies: number[] = [];
  private boardTooFast = 0;
  private lateCreationEvents = 0;
  private boardPolls = 0;
  private inflight = 0;
  private cpu0 = process.cpuUsage();
  private day0 = localDay();

  constructor(
    private readonly urls: string[],
    private readonly sc: Scenario,
    private readonly p: LoadParams,
    private readonly boardScreens: number,
  ) {}

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight++;
    return p.finally(() => this.inflight--);
  }

  async connect(): Promise<void> {
    const n = this.urls.length;
    await Promise.all(
      this.sc.moderators.map(async (m, i) => {
        const s = await openSocket(`${this.urls[i % n]}/live`, { token: m.token });
        watchDisconnect(this.errors, s, `moderator ${m.username}`);
        await call(this.errors, s, 'session:join', { sessionId: this.sc.sessionId });
        s.on('question:pending', (e: { question: { id: number } }) => this.onPending(i, s, e.question.id));
        this.mods.push(s);
      }),
    );
    await Promise.all(
      this.sc.leaders.map(async (l, i) => {
        const s = await openSocket(`${this.urls[(i + 1) % n]}/live`, { token: l.token });
        watchDisconnect(this.errors, s, `leader ${l.username}`);
        const me = { s, queue: [] as number[], busy: false };
        s.on('question:approved', (e: { question: { id: number } }) => {
          if (e.question.id % this.sc.leaders.length === i) me.queue.push(e.question.id);
        });
        if (i === 0) s.on('question:upvoted', (e: { questionId: number; upvotes: number }) => this.upvotes.set(e.questionId, Math.max(e.upvotes, this.upvotes.get(e.questionId) ?? 0)));
        await call(this.errors, s, 'session:join', { sessionId: this.sc.sessionId });
        this.leaders.push(me);
      }),
    );
    for (let i = 0; i < this.boardScreens; i++) {
      const s = await openSocket(`${this.urls[i % n]}/window`, {});
      watchDisconnect(this.errors, s, `board ${i}`);
      const b = { s, last: 0, updates: 0 };
      s.on('board:update', () => {
        const now = Date.now();
        // at most one a second per socket; allow 200 ms of network jitter on this loaded machine
        if (b.last && now - b.last < 800) this.boardTooFast++;
        b.last = now;
        b.updates++;
      });
      this.boards.push(b);
    }
  }

  start(): void {
    this.running = true;
    this.cpu0 = process.cpuUsage();
    this.errors.start = Date.now();
    this.day0 = localDay();
    this.leaders.forEach((l) => this.loop(this.p.answerEveryS, () => this.answerNext(l)));
    this.sc.clerks.forEach((c, i) => this.loop(this.p.clerkEveryS, () => this.clerkStep(c, i)));
    this.boards.forEach((b, i) =>
      this.loop(30, async () => {
        if (await checked(this.errors, 'board poll', 200, this.urls[i % this.urls.length], 'GET', '/api/window/board')) this.boardPolls++;
      }),
    );
  }

  /** Calls fn after a random wait (mean `everyS`), again and again while running; one call at a time. */
  private loop(everyS: number, fn: () => Promise<unknown>): void {
    const next = () => {
      if (!this.running) return;
      const t = setTimeout(() => void this.track(fn()).finally(next), expMs(everyS));
      this.timers.push(t);
      if (this.timers.length > 1000) this.timers.splice(0, 500);
    };
    next();
  }

  private onPending(i: number, s: Socket, id: number): void {
    if (!this.running || id % this.mods.length !== i) return;
    const t = setTimeout(() => {
      const approve = Math.random() < this.p.approveShare;
      void this.track(
        call(this.errors, s, 'question:moderate', approve ? { questionId: id, decision: 'approve' } : { questionId: id, decision: 'reject', reason: '与已有问题重复' }).then((r) => {
          if (r) this.moderated[approve ? 'approved' : 'rejected']++;
        }),
      );
    }, rand(300, 3000));
    this.timers.push(t);
  }

  /** A leader takes the most upvoted question of its share, sometimes highlights it first, and answers it. */
  private async answerNext(l: { s: Socket; queue: number[] }): Promise<void> {
    if (!l.queue.length) return;
    let best = 0;
    for (let k = 1; k < l.queue.length; k++) if ((this.upvotes.get(l.queue[k]) ?? 0) > (this.upvotes.get(l.queue[best]) ?? 0)) best = k;
    const qid = l.queue.splice(best, 1)[0];
    if (Math.random() < 0.5 && (await call(this.errors, l.s, 'question:highlight', { questionId: qid }))) this.highlights++;
    const t0 = Date.now();
    const r = await call(this.errors, l.s, 'question:answer', { questionId: qid, text: `${pick(ANSWERS)}（soak t0=${t0}）`, onAir: Math.random() < 0.5 });
    if (r) this.answered.push({ qid, t0 });
  }

  private async clerkStep(c: StaffCreds, i: number): Promise<void> {
    const base = this.urls[i % this.urls.length];
    const open = this.apps.filter((a) => !a.done && !a.busy && a.expected.every((e) => e.got));
    if (open.length < 3 || Math.random() < 0.3) return this.createApplication(base, c, i);
    const a = pick(open);
    const next: AppStatus =
      a.status === 'accepted' || a.status === 'needs_supplement' ? 'under_review' : (() => {
        const r = Math.random();
        return r < 0.6 ? 'completed' : r < 0.85 ? 'needs_supplement' : 'rejected';
      })();
    a.busy = true;
    const e = { status: next, t0: Date.now() } as Application['expected'][number];
    a.expected.push(e);
    const note = next === 'needs_supplement' ? '请补充营业执照复印件' : next === 'rejected' ? '不符合受理条件' : undefined;
    const r = await checked(this.errors, 'status change', 200, base, 'PATCH', `/api/window/applications/${a.receiptNo}/status`, { status: next, ...(note ? { note } : {}) }, c.token);
    if (!r) {
      a.expected.pop();
      a.busy = false;
      return;
    }
    a.status = next;
    this.counts.transitions++;
    a.busy = false;
  }

  private async createApplication(base: string, c: StaffCreds, i: number): Promise<void> {
    const body = {
      matter: pick(['营业执照变更登记', '不动产登记', '居住证办理', '社保关系转移', '餐饮服务许可']),
      applicantName: pick(['王小明', '李秀英', '张伟', '刘洋', '陈静']),
      applicantPhone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
      departmentCode: this.sc.departments[i % this.sc.departments.length],
      promisedDays: 1 + Math.floor(Math.random() * 10),
    };
    const r = await checked(this.errors, 'create application', 201, base, 'POST', '/api/window/applications', body, c.token);
    if (!r) return;
    this.counts.created++;
    const receiptNo: string = r.body.receiptNo;
    const code: string = r.body.queryCode;
    // the applicant follows it live, on any instance
    let s: Socket;
    try {
      s = await openSocket(`${pick(this.urls)}/window`, {});
    } catch (e) {
      this.errors.add('connect_error', `applicant ${receiptNo}: ${(e as Error).message}`);
      return;
    }
    const a: Application = { receiptNo, code, status: 'accepted', applicant: s, expected: [], busy: true, done: false };
    watchDisconnect(this.errors, s, `applicant ${receiptNo}`);
    s.on('application:status', (m: { receiptNo: string; status: string }) => {
      if (m.receiptNo !== receiptNo) return this.errors.add('wrong_receipt', `${receiptNo} got ${m.receiptNo}`);
      const e = a.expected.find((x) => !x.got && x.status === m.status);
      if (!e && m.status === 'accepted' && !a.expected.length) {
        // With Redis the creation's own event can reach the other instance after the applicant, already watching
        // there, got "accepted" in its watch ack: the same state again, not a change. Counted, not an error.
        this.lateCreationEvents++;
        return;
      }
      if (!e) return this.errors.add('unexpected_status', `${receiptNo} ${m.status}`);
      e.got = Date.now();
      this.statusLatencies.push(e.got - e.t0);
      if (m.status === 'completed' || m.status === 'rejected') void this.track(this.finish(a));
    });
    const w = await call(this.errors, s, 'application:watch', { receiptNo, code });
    if (w && w.application.status !== 'accepted') this.errors.add('wrong_status', `${receiptNo} watch → ${w.application.status}`);
    this.apps.push(a);
    a.busy = !w;
  }

  /** Finished: the applicant looks it up by REST, rates it when completed, and leaves. */
  private async finish(a: Application): Promise<void> {
    a.done = true;
    this.counts.finished++;
    const base = pick(this.urls);
    const r = await checked(this.errors, 'lookup', 200, base, 'GET', `/api/window/applications/${a.receiptNo}?code=${a.code}`);
    if (r) {
      this.counts.lookups++;
      if (r.body.status !== a.status) this.errors.add('wrong_status', `${a.receiptNo} lookup ${r.body.status} ≠ ${a.status}`);
    }
    if (a.status === 'completed' && (await checked(this.errors, 'rating', 201, base, 'POST', `/api/window/applications/${a.receiptNo}/rating?code=${a.code}`, { rating: 3 + Math.floor(Math.random() * 3) }))) this.counts.rated++;
    closeOnPurpose(a.applicant);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    for (let i = 0; i < 300 && this.inflight > 0; i++) await sleep(100);
  }

  /** Waits (up to ms) until every applicant has seen every status change sent for it. */
  async waitStatuses(ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end && this.apps.some((a) => a.expected.some((e) => !e.got))) await sleep(100);
  }

  /** Call after the deliveries had time to arrive. */
  async result(): Promise<StaffResult> {
    const cpu = process.cpuUsage(this.cpu0);
    let statusMissing = 0;
    for (const a of this.apps) statusMissing += a.expected.filter((e) => !e.got).length;
    const sameDay = localDay() === this.day0;
    const b = await http(this.urls[0], 'GET', '/api/window/board');
    if (b.status !== 200) this.errors.add(b.status >= 500 ? 'http_5xx' : 'http_unexpected', `final board → ${b.status}`);
    return {
      answered: this.answered,
      moderated: this.moderated,
      highlights: this.highlights,
      applications: this.counts,
      statusLatencies: this.statusLatencies,
      statusMissing,
      lateCreationEvents: this.lateCreationEvents,
      board: {
        screens: this.boards.length,
        updates: this.boards.reduce((n, x) => n + x.updates, 0),
        tooFast: this.boardTooFast,
        polls: this.boardPolls,
        finalAccepted: b.status === 200 ? (b.body?.totals?.accepted ?? null) : null,
        sameDay,
      },
      errors: this.errors.toJSON(),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    };
  }

  close(): void {
    for (const s of this.mods) closeOnPurpose(s);
    for (const l of this.leaders) closeOnPurpose(l.s);
    for (const b of this.boards) closeOnPurpose(b.s);
    for (const a of this.apps) if (!a.done) closeOnPurpose(a.applicant);
  }
}

// ───────────────────────────── setup through the REST API ─────────────────────────────

/**
 * Creates the staff (moderators, leaders with their leader records, clerks) as the admin, one live session with all
 * leaders, and logs everybody in. Everything goes through the public API of the running app.
 */
export async function setupScenario(base: string, admin: { username: string; password: string }, staff: { moderators: number; leaders: number; clerks: number }, tag: string): Promise<Scenario> {
  const must = async (what: string, want: number, method: string, path: string, body?: unknown, token?: string) => {
    const r = await http(base, method, path, body, token);
    if (r.status !== want) throw new Error(`setup ${what}: ${method} ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  };
  const adminToken: string = (await must('admin login', 200, 'POST', '/api/auth/login', admin)).accessToken;
  const login = async (username: string) => ({ username, token: (await must('login', 200, 'POST', '/api/auth/login', { username, password: 'soak-password-123' })).accessToken as string });
  const user = async (role: string, i: number, departmentCode?: string) => {
    const username = `${tag}-${role}-${i}`;
    const u = await must('user', 201, 'POST', '/api/users', { username, password: 'soak-password-123', role, displayName: `${role}${i}`, ...(departmentCode ? { departmentCode } : {}) }, adminToken);
    return { username, id: u.id as number };
  };
  const deps = (await must('departments', 200, 'GET', '/api/departments')) as Array<{ code: string; kind: string }>;
  const departments = deps.filter((d) => d.kind === 'department').map((d) => d.code).slice(0, 8);
  const moderators = [];
  for (let i = 0; i < staff.moderators; i++) moderators.push(await login((await user('moderator', i)).username));
  const leaders = [];
  for (let i = 0; i < staff.leaders; i++) {
    const u = await user('leader', i);
    const l = await must('leader', 201, 'POST', '/api/leaders', { name: `领导${i + 1}`, title: '副区长', departmentCode: 'city', email: `${tag}-leader${i}@example.org`, userId: u.id }, adminToken);
    leaders.push({ ...(await login(u.username)), leaderId: l.id as number });
  }
  const clerks = [];
  for (let i = 0; i < staff.clerks; i++) clerks.push(await login((await user('clerk', i)).username));
  // A session must lie in one of the weekly broadcast slots (config/livestream.json): take the first free slot-like
  // hour of the coming weeks, then start it now (starting depends on the state only).
  let session: { id: number } | undefined;
  const dayMs = 86_400_000;
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  for (let d = 1; d <= 28 && !session; d++) {
    for (const hour of ['10:00', '15:00']) {
      const day = new Date(today + d * dayMs).toISOString().slice(0, 10);
      const startsAt = new Date(`${day}T${hour}:00+08:00`);
      const r = await http(
        base,
        'POST',
        '/api/livestream/sessions',
        { title: '接诉即办 政民互动直播（压力测试）', departmentCode: 'city', leaderIds: leaders.map((l) => l.leaderId), topicKeys: ['heating'], startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 60 * 60_000).toISOString() },
        adminToken,
      );
      if (r.status === 201) {
        session = r.body;
        break;
      }
      if (r.status !== 409) throw new Error(`setup session → ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    }
  }
  if (!session) throw new Error('setup session: no free broadcast slot in the next 4 weeks');
  const started = await http(base, 'POST', `/api/livestream/sessions/${session.id}/start`, undefined, adminToken);
  if (started.status >= 300) throw new Error(`setup start session → ${started.status} ${JSON.stringify(started.body)}`);
  return { sessionId: session.id, moderators, leaders, clerks, departments };
}

/** Splits the staff count: a quarter moderators, a quarter leaders, the rest clerks (20 → 5 / 5 / 10). */
export function staffSplit(n: number): { moderators: number; leaders: number; clerks: number } {
  const moderators = Math.max(1, Math.round(n / 4));
  const leaders = Math.max(1, Math.round(n / 4));
  return { moderators, leaders, clerks: Math.max(1, n - moderators - leaders) };
}

/**
 * An empty Redis database (1–15) of our own on `base` (redis://host:port), claimed with a key, so the socket.io
 * adapter's stream and the rate-limit keys of this run cannot meet anybody else's; `release` empties it again.
 */
export async function claimRedisDb(base: string): Promise<{ url: string; release: () => Promise<void> }> {
  const root = base.replace(/\/\d*$/, '');
  const tag = `soak-${process.pid}-${randomBytes(4).toString('hex')}`;
  const start = Math.floor(Math.random() * 15);
  for (let k = 0; k < 15; k++) {
    const db = 1 + ((start + k) % 15);
    const c = createClient({ url: `${root}/${db}` });
    c.on('error', () => undefined);
    await c.connect();
    const mine = (await c.dbSize()) === 0 && (await c.set('soak:claim', tag, { NX: true, EX: 7200 })) === 'OK';
    if (!mine) {
      await c.close();
      continue;
    }
    return {
      url: `${root}/${db}`,
      release: async () => {
        if ((await c.get('soak:claim')) === tag) await c.flushDb();
        await c.close();
      },
    };
  }
  throw new Error(`no empty Redis database (1–15) at ${root}`);
}
