import type { Socket as ClientSocket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { DomainEvents } from '../src/common/domain-events';
import type { Leader } from '../src/livestream/leader.entity';
import type { LivestreamSession } from '../src/livestream/livestream-session.entity';
import { ack, AnyAck, connect, makeLeader, makeSession, next, record, sleep, viewerKey } from './qa-live';
import { bootApp, engines, TestApp } from './utils/app';

describe.each(engines())('live Q&A on %s', (engine) => {
  let t: TestApp;
  let s1: LivestreamSession;
  let s2: LivestreamSession;
  let l1: Leader;
  let modTok: string;
  let leaderTok: string;
  let otherLeaderTok: string;
  const open: ClientSocket[] = [];
  const viewer = async (key = viewerKey()) => {
    const s = await connect(t.url, { viewerKey: key });
    open.push(s);
    return s;
  };
  const staff = async (token: string, opts: Record<string, unknown> = {}) => {
    const s = await connect(t.url, { token }, opts);
    open.push(s);
    return s;
  };
  const count = async (table: string) => Number((await t.get(DataSource).query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  /** A question asked by a fresh viewer and approved by the moderator. */
  const approvedQuestion = async (sessionId: number, text = '老旧小区什么时候加装电梯？') => {
    const v = await viewer();
    const a = await ack(v, 'question:ask', { sessionId, text });
    expect(a).toMatchObject({ ok: true, status: 'pending' });
    const mod = await staff(modTok);
    expect((await ack(mod, 'question:moderate', { questionId: a.questionId, decision: 'approve' })).ok).toBe(true);
    return a.questionId as number;
  };

  beforeAll(async () => {
    t = await bootApp(engine);
    modTok = await t.token('moderator');
    leaderTok = await t.token('leader', 'leader1');
    otherLeaderTok = await t.token('leader', 'leader2');
    l1 = await makeLeader(t, '张区长', await t.userId('leader', 'leader1'));
    const l2 = await makeLeader(t, '李局长', await t.userId('leader', 'leader2'));
    s1 = await makeSession(t, [l1.id]);
    s2 = await makeSession(t, [l2.id]);
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  afterAll(async () => t?.close());

  it('runs the whole flow for 50 viewers, a moderator and a leader', async () => {
    const viewers = await Promise.all(Array.from({ length: 50 }, () => viewer()));
    const logs = viewers.map(record);
    const joins = await Promise.all(viewers.map((v) => ack(v, 'session:join', { sessionId: s1.id })));
    for (const j of joins) {
      expect(j.ok).toBe(true);
      expect(j.session).toMatchObject({ id: s1.id, status: 'live', leaderIds: [l1.id], leaders: [{ id: l1.id, name: '张区长', title: '区长' }] });
      expect(j.session.leaders[0].email).toBeUndefined();
    }
    const mod = await staff(modTok);
    const modLog = record(mod);
    const modJoin = await ack(mod, 'session:join', { sessionId: s1.id });
    expect(modJoin.ok).toBe(true);
    const leader = await staff(leaderTok);
    expect((await ack(leader, 'session:join', { sessionId: s1.id })).ok).toBe(true);

    // ask → only staff see it pending
    const pendingSeen = next(mod, 'question:pending');
    const asked = await ack(viewers[0], 'question:ask', { sessionId: s1.id, text: '  冬季供暖温度不达标怎么办？  ', nickname: '西城居民' });
    expect(asked).toEqual({ ok: true, questionId: expect.any(Number), status: 'pending' });
    const pending = await pendingSeen;
    expect(pending.question).toMatchObject({ id: asked.questionId, text: '冬季供暖温度不达标怎么办？', nickname: '西城居民', status: 'pending', upvotes: 0 });
    expect(JSON.stringify(pending)).not.toContain('viewerKey');
    // a moderator joining now gets it in the pending list, viewers do not
    const mod2 = await staff(modTok);
    expect((await ack(mod2, 'session:join', { sessionId: s1.id })).questions.map((q: AnyAck) => q.id)).toContain(asked.questionId);
    expect((await ack(viewers[1], 'session:join', { sessionId: s1.id })).questions).toEqual([]);

    // approve → everyone sees it
    const approvedAll = Promise.all(viewers.map((v) => next(v, 'question:approved', (p) => p.question.id === asked.questionId)));
    const mAck = await ack(mod, 'question:moderate', { questionId: asked.questionId, decision: 'approve' });
    expect(mAck).toMatchObject({ ok: true, question: { id: asked.questionId, status: 'approved' } });
    for (const p of await approvedAll) {
      expect(Object.keys(p.question).sort()).toEqual(['createdAt', 'highlighted', 'id', 'nickname', 'sessionId', 'status', 'text', 'upvotes']);
    }

    // upvotes: once per viewer
    const upSeen = Promise.all(viewers.map((v) => next(v, 'question:upvoted', (p) => p.upvotes === 10)));
    for (let i = 0; i < 10; i++) expect(await ack(viewers[i], 'question:upvote', { questionId: asked.questionId })).toEqual({ ok: true, upvotes: i + 1 });
    expect(await ack(viewers[3], 'question:upvote', { questionId: asked.questionId })).toEqual({ ok: false, error: { code: 'conflict', message: expect.any(String) } });
    await upSeen;

    // highlight + answer from the session's leader
    const hiAll = Promise.all(viewers.map((v) => next(v, 'question:highlighted')));
    expect(await ack(leader, 'question:highlight', { questionId: asked.questionId })).toEqual({ ok: true, questionId: asked.questionId });
    expect((await hiAll)[0]).toEqual({ questionId: asked.questionId });
    const ansAll = Promise.all(viewers.map((v) => next(v, 'question:answered')));
    const aAck = await ack(leader, 'question:answer', { questionId: asked.questionId, text: '供热企业24小时内上门检测，不达标按天退费。', onAir: true });
    expect(aAck.ok).toBe(true);
    for (const p of await ansAll) {
      expect(p).toEqual({ questionId: asked.questionId, answer: { text: '供热企业24小时内上门检测，不达标按天退费。', leaderName: '张区长', answeredAt: expect.any(String), onAir: true } });
    }

    // REST: approved with the answer, public
    const r = await t.http().get(`/api/livestream/sessions/${s1.id}/questions`).expect(200);
    expect(r.body).toMatchObject({ total: 1, page: 1, pageSize: 50 });
    expect(r.body.items[0]).toMatchObject({ id: asked.questionId, upvotes: 10, highlighted: true, answer: { leaderName: '张区长', onAir: true } });
    expect(JSON.stringify(r.body)).not.toMatch(/viewerKey|v-[0-9a-f]{16}/);
    await t.http().get('/api/livestream/sessions/999999/questions').expect(404);
    const doc = await t.http().get('/api/docs-json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/livestream/sessions/{id}/questions', '/api/qa/sensitive-words/reload']));
    await t.http().get('/api/livestream/sessions/abc/questions').expect(400);

    // viewers:count reached 53 and came at most once a second
    await sleep(1200);
    const counts = logs[0].filter(([e]) => e === 'viewers:count');
    expect(counts.length).toBeGreaterThan(0);
    expect(counts[counts.length - 1][1]).toEqual({ sessionId: s1.id, count: 53 });
    // nobody but staff saw the pending question
    expect(logs.flat().some(([e]) => e === 'question:pending')).toBe(false);
    expect(modLog.some(([e]) => e === 'question:pending')).toBe(true);
  });

  it('sends viewers:count at most once a second while 30 viewers come and go', async () => {
    const watcher = await viewer();
    const seen: number[] = [];
    watcher.on('viewers:count', () => seen.push(Date.now()));
    await ack(watcher, 'session:join', { sessionId: s2.id });
    const start = Date.now();
    for (let i = 0; i < 30; i++) {
      const v = await viewer();
      await ack(v, 'session:join', { sessionId: s2.id });
      if (i % 2) v.close();
    }
    await sleep(1300);
    const elapsed = Date.now() - start;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThanOrEqual(Math.ceil(elapsed / 1000) + 1);
    for (let i = 1; i < seen.length; i++) expect(seen[i] - seen[i - 1]).toBeGreaterThanOrEqual(950);
  });

  it('limits each viewer to one question per 20 s and rejects blank or too long ones', async () => {
    const v = await viewer();
    expect((await ack(v, 'question:ask', { sessionId: s1.id, text: '停车难怎么解决？' })).ok).toBe(true);
    const again = await ack(v, 'question:ask', { sessionId: s1.id, text: '再问一个' });
    expect(again).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(again.error.retryAfterMs).toBeGreaterThan(0);
    const w = await viewer();
    expect((await ack(w, 'question:ask', { sessionId: s1.id, text: 'x'.repeat(301) })).error.code).toBe('bad_request');
    expect((await ack(w, 'question:ask', { sessionId: s1.id, text: '问题', nickname: '一'.repeat(21) })).error.code).toBe('bad_request');
    expect((await ack(w, 'question:ask', { sessionId: s1.id, text: '' })).error.code).toBe('bad_request');
    expect((await ack(w, 'question:ask', { sessionId: s1.id, text: '😀'.repeat(300) })).ok).toBe(true);
    expect((await ack(await viewer(), 'question:ask', { sessionId: s1.id, text: '   ' })).error.code).toBe('bad_request');
    expect((await ack(await viewer(), 'question:ask', { sessionId: 999999, text: '有人吗' })).error.code).toBe('not_found');
    const ended = await makeSession(t, [l1.id], 'ended');
    expect((await ack(await viewer(), 'question:ask', { sessionId: ended.id, text: '结束了吗' })).error.code).toBe('conflict');
  });

  it('enforces the role matrix with forbidden acks', async () => {
    const qid = await approvedQuestion(s1.id);
    const v = await viewer();
    const other = await staff(otherLeaderTok);
    const leader = await staff(leaderTok);
    const forbidden = { ok: false, error: { code: 'forbidden', message: expect.any(String) } };
    expect(await ack(v, 'question:moderate', { questionId: qid, decision: 'reject' })).toEqual(forbidden);
    expect(await ack(v, 'question:answer', { questionId: qid, text: '我来答' })).toEqual(forbidden);
    expect(await ack(v, 'question:highlight', { questionId: qid })).toEqual(forbidden);
    expect(await ack(other, 'question:answer', { questionId: qid, text: '不是我的场次' })).toEqual(forbidden);
    expect(await ack(other, 'question:highlight', { questionId: qid })).toEqual(forbidden);
    expect(await ack(leader, 'question:moderate', { questionId: qid, decision: 'reject' })).toEqual(forbidden);
    expect(await ack(await staff(await t.token('operator')), 'question:answer', { questionId: qid, text: 'x' })).toEqual(forbidden);
    // moderator and admin may answer on behalf of the session's leader
    const mod = await staff(modTok);
    expect(await ack(mod, 'question:answer', { questionId: qid, text: '已转交相关部门' })).toMatchObject({ ok: true, answer: { leaderName: '张区长', onAir: false } });
    const admin = await staff(await t.token('admin'));
    expect((await ack(admin, 'question:highlight', { questionId: qid })).ok).toBe(true);
    expect((await ack(admin, 'question:answer', { questionId: qid, text: '补充', leaderId: 999 })).error.code).toBe('bad_request');
    // state rules
    expect((await ack(mod, 'question:moderate', { questionId: qid, decision: 'approve' })).error.code).toBe('conflict');
    expect((await ack(mod, 'question:moderate', { questionId: 987654, decision: 'approve' })).error.code).toBe('not_found');
    const p = await ack(await viewer(), 'question:ask', { sessionId: s1.id, text: '待审核的问题' });
    expect((await ack(leader, 'question:answer', { questionId: p.questionId, text: '先答' })).error.code).toBe('conflict');
    expect((await ack(v, 'question:upvote', { questionId: p.questionId })).error.code).toBe('not_found');
    const staffSeen = next(mod, 'question:rejected');
    await ack(mod, 'session:join', { sessionId: s1.id });
    expect(await ack(mod, 'question:moderate', { questionId: p.questionId, decision: 'reject', reason: '与本场主题无关' })).toMatchObject({ ok: true, question: { status: 'rejected' } });
    expect(await staffSeen).toEqual({ questionId: p.questionId, reason: '与本场主题无关' });
    expect((await ack(v, 'session:join', { sessionId: 424242 })).error.code).toBe('not_found');
  });

  it('refuses bad handshakes and keeps the sockets of others', async () => {
    await expect(connect(t.url, { token: 'not-a-token' })).rejects.toMatchObject({ message: 'unauthorized' });
    await expect(connect(t.url, { viewerKey: 'short' })).rejects.toMatchObject({ message: 'bad_request' });
    const calm = await viewer();
    const noisy = await viewer();
    const gone = new Promise((r) => noisy.once('disconnect', r));
    noisy.emit('question:ask', { sessionId: s1.id, text: 'x'.repeat(20_000) }); // over maxHttpBufferSize
    await gone;
    expect((await ack(calm, 'session:join', { sessionId: s1.id })).ok).toBe(true);
  });

  it('broadcasts session:status when the livestream module announces a change', async () => {
    const v = await viewer();
    await ack(v, 'session:join', { sessionId: s2.id });
    const seen = next(v, 'session:status');
    t.get(DomainEvents).emit('session.changed', { sessionId: s2.id, status: 'ended' });
    expect(await seen).toEqual({ sessionId: s2.id, status: 'ended' });
  });

  it('gives a viewer back within 2 minutes what it missed (connection state recovery), and the full state on join later', async () => {
    const key = viewerKey();
    const v = await connect(t.url, { viewerKey: key }, { reconnection: true, reconnectionDelay: 1500, reconnectionDelayMax: 1500, randomizationFactor: 0 });
    open.push(v);
    const firstCount = next(v, 'viewers:count'); // the first room packet gives the client its recovery offset
    await ack(v, 'session:join', { sessionId: s1.id });
    await firstCount;
    const vLog = record(v);
    const asker = await viewer();
    const q = await ack(asker, 'question:ask', { sessionId: s1.id, text: '断线期间的问题' });
    const mod = await staff(modTok);
    const dropped = new Promise((r) => v.once('disconnect', r));
    v.io.engine.close(); // network drop
    await dropped;
    await sleep(100);
    await ack(mod, 'question:moderate', { questionId: q.questionId, decision: 'approve' });
    await ack(await staff(leaderTok), 'question:answer', { questionId: q.questionId, text: '断线也能收到的回答' });
    await new Promise<void>((r) => v.once('connect', () => r()));
    expect(v.recovered).toBe(true);
    await sleep(300);
    const names = vLog.map(([e]) => e);
    expect(names).toEqual(expect.arrayContaining(['question:approved', 'question:answered']));
    expect(vLog.find(([e]) => e === 'question:answered')![1]).toMatchObject({ questionId: q.questionId, answer: { text: '断线也能收到的回答' } });
    // a viewer back after longer: session:join gives the full state
    const later = await viewer(key);
    const j = await ack(later, 'session:join', { sessionId: s1.id });
    expect(j.questions.find((x: AnyAck) => x.id === q.questionId)).toMatchObject({ status: 'approved', answer: { text: '断线也能收到的回答', leaderName: '张区长' } });
    // most upvoted first
    const ups = j.questions.map((x: AnyAck) => x.upvotes);
    expect([...ups].sort((a, b) => b - a)).toEqual(ups);
  });

  it('stores XSS text verbatim and returns it as JSON text; rejects sensitive words however disguised', async () => {
    const xss = `<script>alert("x")</script><img src=x onerror=alert(1)>&amp;'"`;
    const qid = await approvedQuestion(s1.id, xss);
    const r = await t.http().get(`/api/livestream/sessions/${s1.id}/questions?pageSize=500`).expect(200);
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(r.body.items.find((x: AnyAck) => x.id === qid).text).toBe(xss);
    const before = await count('qa_questions');
    for (const text of ['请问法轮功的问题', '法 轮 功', '法.轮.功', '法\u200b轮\u200b功', 'ＦＵＣＫ you', 'f-u-c-k', '网 络 赌 博 怎么 管']) {
      const a = await ack(await viewer(), 'question:ask', { sessionId: s1.id, text });
      expect([text, a]).toEqual([text, { ok: false, error: { code: 'bad_request', message: expect.stringContaining('cannot be published') } }]);
    }
    expect((await ack(await viewer(), 'question:ask', { sessionId: s1.id, text: '正常问题', nickname: '傻 逼' })).ok).toBe(false);
    expect(await count('qa_questions')).toBe(before);
    const admin = await t.token('admin');
    expect((await t.http().post('/api/qa/sensitive-words/reload').set('Authorization', `Bearer ${admin}`).expect(200)).body.words).toBeGreaterThan(10);
    await t.http().post('/api/qa/sensitive-words/reload').set('Authorization', `Bearer ${modTok}`).expect(403);
  });
});
