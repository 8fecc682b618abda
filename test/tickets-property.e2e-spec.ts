import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { bootApp, engines, TestApp } from './utils/app';

const RUNS = Number(process.env.TICKETS_PROPERTY_RUNS ?? 1000);

describe.each(engines())('POST /api/tickets with random bodies on %s', (engine) => {
  let t: TestApp;
  let op: string;
  beforeAll(async () => {
    t = await bootApp(engine);
    op = await t.token('operator');
  });
  afterAll(async () => t?.close());

  const count = async () => {
    const ds = t.get(DataSource);
    const [[a], [b]] = await Promise.all([ds.query('SELECT COUNT(*) AS n FROM tickets'), ds.query('SELECT COUNT(*) AS n FROM ticket_history')]);
    return [Number(a.n), Number(b.n)];
  };

  it(`never answers 5xx and writes nothing for rejected bodies (${RUNS} runs)`, async () => {
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', minLength: 5, maxLength: 60 }), fc.constant('小区门口占道经营严重，希望尽快处理。'), fc.constant("'); DROP TABLE tickets; --"), fc.constant('<script>alert(1)</script>'));
    const any = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
    const body = fc.record(
      {
        content: fc.oneof(text, any, fc.string({ minLength: 1990, maxLength: 2010 })),
        callerPhone: fc.oneof(fc.stringMatching(/^1[3-9]\d{9}$/), fc.constant('010-66012345'), fc.string({ maxLength: 14 }), fc.integer(), any),
        callerName: fc.oneof(fc.string({ maxLength: 70 }), any),
        channel: fc.oneof(fc.constantFrom('phone', 'web', 'wechat', 'app', 'email'), fc.string({ maxLength: 8 }), any),
        street: fc.oneof(fc.constantFrom('德胜', '德胜街道', 'desheng', '牛街'), fc.string({ maxLength: 10 }), any),
        departmentCode: fc.oneof(fc.constantFrom('city', '城管', 'env'), fc.string({ maxLength: 10 }), any),
        receivedAt: fc.oneof(fc.date({ noInvalidDate: true, min: new Date('2020-01-01'), max: new Date('2030-01-01') }).map((d) => d.toISOString()), fc.string({ maxLength: 25 }), any),
        ticketNo: fc.oneof(fc.stringMatching(/^P[0-9]{1,3}$/), fc.string({ maxLength: 45 }), any),
        address: fc.oneof(fc.string({ maxLength: 300 }), any),
        surprise: any,
      },
      { requiredKeys: [] },
    );
    // Mostly-valid bodies with at most one field replaced by something random, so both answers are exercised.
    const valid = fc.record({
      content: fc.constantFrom('小区门口占道经营严重，希望尽快处理。', "'); DROP TABLE tickets; -- 反映问题", '<script>alert(1)</script> 路灯不亮'),
      callerPhone: fc.stringMatching(/^1[3-9]\d{9}$/),
      channel: fc.constantFrom('phone', 'web', 'wechat', 'app', 'email'),
      street: fc.constantFrom('德胜', '德胜街道', 'desheng', '牛街'),
    });
    const nearlyValid = fc.tuple(valid, body).chain(([v, b]) =>
      fc.constantFrom(...(['none', ...Object.keys(b)] as string[])).map((k) => (k === 'none' ? v : { ...v, [k]: (b as Record<string, unknown>)[k] })),
    );
    const payload = fc.oneof({ weight: 5, arbitrary: body }, { weight: 4, arbitrary: nearlyValid }, { weight: 1, arbitrary: any });
    let created = 0;
    await fc.assert(
      fc.asyncProperty(payload, async (b) => {
        const before = await count();
        const r = await t.http().post('/api/tickets').set('Authorization', `Bearer ${op}`).set('Content-Type', 'application/json').send(JSON.stringify(b));
        expect(r.status).toBeLessThan(500);
        const after = await count();
        if (r.status === 201) {
          created++;
          expect(after).toEqual([before[0] + 1, before[1] + 1]);
        } else {
          expect([400, 409]).toContain(r.status);
          expect(after).toEqual(before);
        }
      }),
      { numRuns: RUNS },
    );
    expect(created).toBeGreaterThan(0);
  });
});
