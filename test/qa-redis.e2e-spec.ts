import type { Socket as ClientSocket } from 'socket.io-client';
import type { LivestreamSession } from '../src/livestream/livestream-session.entity';
import { ack, connect, makeLeader, makeSession, next, viewerKey } from './qa-live';
import { bootApp, engines, TestApp } from './utils/app';
import { redisReachable, TEST_REDIS_URL } from './utils/redis';

const REDIS_URL = TEST_REDIS_URL;

describe.each(engines())('live Q&A on two instances with Redis (%s)', (engine) => {
  let a: TestApp;
  let b: TestApp;
  let session: LivestreamSession;
  let skip: string | null = null;
  const open: ClientSocket[] = [];
  const on = async (t: TestApp, auth: Record<string, unknown>) => {
    const s = await connect(t.url, auth);
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    skip = await redisReachable();
    if (skip) {
      if (process.env.CI === 'true') throw new Error(`Redis is required in CI but ${REDIS_URL} does not answer: ${skip}`);
      process.stdout.write(`\n[qa-redis] skipped: Redis not reachable at ${REDIS_URL} (${skip}); set TEST_REDIS_URL to run the scale-out test.\n`);
      return;
    }
    a = await bootApp(engine, { env: { REDIS_URL } });
    b = await bootApp(engine, { databaseUrl: a.cfg.databaseUrl, env: { REDIS_URL } });
    const leader = await makeLeader(a, '赵区长', await a.userId('leader', 'leader1'));
    session = await makeSession(a, [leader.id]);
  });
  afterAll(async () => {
    for (const s of open.splice(0)) s.close();
    await b?.close();
    await a?.close();
  });

  it('delivers an answer given on instance B to a viewer on instance A, and approvals on A to viewers on B', async () => {
    if (skip) return;
    const onA = await on(a, { viewerKey: viewerKey() });
    const onB = await on(b, { viewerKey: viewerKey() });
    await ack(onA, 'session:join', { sessionId: session.id });
    await ack(onB, 'session:join', { sessionId: session.id });
    const modA = await on(a, { token: await a.token('moderator') });
    await ack(modA, 'session:join', { sessionId: session.id });
    const pendingOnA = next(modA, 'question:pending');
    const q = await ack(onB, 'question:ask', { sessionId: session.id, text: '跨实例的问题：学区划片什么时候公布？' });
    expect(q).toMatchObject({ ok: true, status: 'pending' });
    expect((await pendingOnA).question.id).toBe(q.questionId);
    const approvedOnB = next(onB, 'question:approved');
    expect((await ack(modA, 'question:moderate', { questionId: q.questionId, decision: 'approve' })).ok).toBe(true);
    expect((await approvedOnB).question.id).toBe(q.questionId);

    const leaderB = await on(b, { token: await b.token('leader', 'leader1') });
    const answeredOnA = next(onA, 'question:answered');
    expect((await ack(leaderB, 'question:answer', { questionId: q.questionId, text: '每年5月中旬公布。', onAir: true })).ok).toBe(true);
    expect(await answeredOnA).toEqual({ questionId: q.questionId, answer: { text: '每年5月中旬公布。', leaderName: '赵区长', answeredAt: expect.any(String), onAir: true } });
  });

  it('holds the rate limit and upvote uniqueness across both instances', async () => {
    if (skip) return;
    const key = viewerKey();
    const vA = await on(a, { viewerKey: key });
    const vB = await on(b, { viewerKey: key });
    expect((await ack(vA, 'question:ask', { sessionId: session.id, text: '第一个问题' })).ok).toBe(true);
    expect(await ack(vB, 'question:ask', { sessionId: session.id, text: '换个实例再问' })).toMatchObject({ ok: false, error: { code: 'rate_limited' } });

    const mod = await on(b, { token: await b.token('moderator') });
    const asker = await on(b, { viewerKey: viewerKey() });
    const q = await ack(asker, 'question:ask', { sessionId: session.id, text: '可以点赞的问题' });
    await ack(mod, 'question:moderate', { questionId: q.questionId, decision: 'approve' });
    const results = await Promise.all([ack(vA, 'question:upvote', { questionId: q.questionId }), ack(vB, 'question:upvote', { questionId: q.questionId })]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)[0].error.code).toBe('conflict');
    const r = await b.http().get(`/api/livestream/sessions/${session.id}/questions`).expect(200);
    expect(r.body.items.find((x: { id: number }) => x.id === q.questionId).upvotes).toBe(1);
  });
});
