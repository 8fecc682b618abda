import fc from 'fast-check';
import type { Socket as ClientSocket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { QaQuestion } from '../src/qa/question.entity';
import { ack, connect, makeLeader, makeSession, viewerKey } from './qa-live';
import { bootApp, engines, TestApp } from './utils/app';

const EVENTS = ['session:join', 'question:ask', 'question:moderate', 'question:upvote', 'question:answer', 'question:highlight'];
const CODES = ['bad_request', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'rate_limited'];

/** Values that are never a valid payload for an existing row: ids that do not exist or are not integers, wrong types, extra keys. */
const badId = fc.oneof(fc.integer({ min: 1_000_000, max: 2 ** 31 - 1 }), fc.integer({ max: 0 }), fc.double(), fc.string(), fc.constant(null), fc.boolean(), fc.array(fc.nat()), fc.constant('1'));
const anyText = fc.oneof(fc.string({ maxLength: 400 }), fc.constant(''), fc.integer(), fc.constant(null), fc.array(fc.string()), fc.string({ unit: 'grapheme', maxLength: 40 }));
const nearMiss = fc.record(
  {
    sessionId: badId,
    questionId: badId,
    text: anyText,
    nickname: anyText,
    decision: fc.oneof(fc.constantFrom('approve', 'reject', 'APPROVE', ''), fc.string()),
    reason: anyText,
    onAir: fc.oneof(fc.boolean(), fc.string(), fc.integer()),
    leaderId: badId,
    __proto__: fc.anything(),
    constructor: fc.anything(),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);
const payload = fc.oneof(fc.anything({ maxDepth: 3 }), nearMiss, fc.constant(undefined), fc.string({ maxLength: 2000 }));

describe.each(engines())('live Q&A property test on %s', (engine) => {
  let t: TestApp;
  let viewer: ClientSocket;
  let admin: ClientSocket;
  let bystander: ClientSocket;
  const counts = async () => {
    const ds = t.get(DataSource);
    const q = await ds.query(`SELECT COUNT(*) AS n, COALESCE(SUM(upvotes),0) AS u FROM qa_questions`);
    const a = await ds.query(`SELECT COUNT(*) AS n FROM qa_questions WHERE answerText IS NOT NULL OR highlighted = 1 OR status <> 'approved'`);
    const v = await ds.query(`SELECT COUNT(*) AS n FROM qa_upvotes`);
    return [Number(q[0].n), Number(q[0].u), Number(a[0].n), Number(v[0].n)];
  };

  beforeAll(async () => {
    t = await bootApp(engine);
    const leader = await makeLeader(t, '王区长', null);
    const s = await makeSession(t, [leader.id]);
    // one approved question exists, so ids 1.. are real: the generators never produce them
    const ds = t.get(DataSource);
    await ds.getRepository(QaQuestion).insert({ sessionId: s.id, text: '已有问题', viewerKey: 'seed-viewer', status: 'approved', createdAt: new Date() });
    viewer = await connect(t.url, { viewerKey: viewerKey() });
    admin = await connect(t.url, { token: await t.token('admin') });
    bystander = await connect(t.url, { viewerKey: viewerKey() });
  });
  afterAll(async () => {
    for (const s of [viewer, admin, bystander]) s?.close();
    await t?.close();
  });

  it('answers ~1000 random payloads per event with error acks only: no crash, nothing stored, nobody disconnected', async () => {
    const before = await counts();
    let acks = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...EVENTS), payload, fc.boolean(), async (event, p, asAdmin) => {
        const s = asAdmin ? admin : viewer;
        const r = await ack(s, event, p, 5000);
        acks++;
        expect(r.ok).toBe(false);
        expect(CODES).toContain(r.error.code);
        expect(typeof r.error.message).toBe('string');
        expect(r.error.message).not.toMatch(/Internal server error/i);
      }),
      { numRuns: 6000 },
    );
    // no ack callback, several arguments, a function-less call: ignored without a crash
    for (const e of EVENTS) {
      viewer.emit(e, { questionId: 'x' });
      viewer.emit(e);
      viewer.emit(e, 1, 2, 3);
      admin.emit(e, null, 'a', { b: 1 });
      expect(await ack(viewer, e, [1, 2])).toMatchObject({ ok: false });
    }
    expect(acks).toBe(6000);
    expect(await counts()).toEqual(before);
    expect(viewer.connected && admin.connected && bystander.connected).toBe(true);
    expect((await ack(bystander, 'session:join', { sessionId: 1 })).ok).toBe(true);
    await t.http().get('/health').expect(200);
    expect(t.logs.join('').match(/Internal server error|live Q&A handler failed/gi)).toBeNull();
  });
});
