import { io, Socket as ClientSocket } from 'socket.io-client';
import { ClockService } from '../src/common/clock.service';
import { bootApp, engines, TestApp } from './utils/app';
import { redisReachable, TEST_REDIS_URL } from './utils/redis';

const REDIS_URL = TEST_REDIS_URL;

describe.each(engines())('single window on two instances with Redis (%s)', (engine) => {
  let a: TestApp;
  let b: TestApp;
  let skip: string | null = null;
  const open: ClientSocket[] = [];

  beforeAll(async () => {
    skip = await redisReachable();
    if (skip) {
      if (process.env.CI === 'true') throw new Error(`Redis is required in CI but ${REDIS_URL} does not answer: ${skip}`);
      process.stdout.write(`\n[window-redis] skipped: Redis not reachable at ${REDIS_URL} (${skip}).\n`);
      return;
    }
    a = await bootApp(engine, { env: { REDIS_URL } });
    b = await bootApp(engine, { databaseUrl: a.cfg.databaseUrl, env: { REDIS_URL } });
    // A day of its own per run, so receipt numbers (and their lock keys in the shared Redis) never repeat across runs.
    const day = new Date(Date.UTC(2030, 0, 1) + Math.floor(Math.random() * 3000) * 86_400_000 + 2 * 3600_000);
    a.get(ClockService).set(day);
    b.get(ClockService).set(day);
  });
  afterAll(async () => {
    for (const s of open.splice(0)) s.close();
    await b?.close();
    await a?.close();
  });

  const create = async (t: TestApp) => {
    const r = await t
      .http()
      .post('/api/window/applications')
      .set('Authorization', `Bearer ${await t.token('clerk')}`)
      .send({ matter: '不动产登记', applicantName: '赵小红', applicantPhone: '13700001111', departmentCode: 'realty', promisedDays: 3 })
      .expect(201);
    return r.body as { receiptNo: string; queryCode: string };
  };

  it('locks a receipt on both instances after 5 wrong codes spread over them', async () => {
    if (skip) return;
    const x = await create(a);
    const wrong = x.queryCode === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i++) await (i % 2 ? a : b).http().get(`/api/window/applications/${x.receiptNo}?code=${wrong}`).expect(404);
    await a.http().get(`/api/window/applications/${x.receiptNo}?code=${x.queryCode}`).expect(429);
    await b.http().get(`/api/window/applications/${x.receiptNo}?code=${x.queryCode}`).expect(429);
  });

  it('tells a watcher on instance A about a change made on instance B', async () => {
    if (skip) return;
    const x = await create(a);
    const s = io(`${a.url}/window`, { transports: ['websocket'], reconnection: false, forceNew: true });
    open.push(s);
    await new Promise<void>((res, rej) => {
      s.once('connect', () => res());
      s.once('connect_error', rej);
    });
    const okAck = await new Promise<any>((res) => s.emit('application:watch', { receiptNo: x.receiptNo, code: x.queryCode }, res));
    expect(okAck.ok).toBe(true);
    const got = new Promise<any>((res) => s.once('application:status', res));
    await new Promise((r) => setTimeout(r, 1200)); // anything A had to send on its own is sent by now
    const board = new Promise<any>((res, rej) => {
      s.once('board:update', res);
      setTimeout(() => rej(new Error('no board:update on A within 5 s')), 5000).unref();
    });
    await b
      .http()
      .patch(`/api/window/applications/${x.receiptNo}/status`)
      .set('Authorization', `Bearer ${await b.token('clerk')}`)
      .send({ status: 'under_review' })
      .expect(200);
    expect(await got).toMatchObject({ receiptNo: x.receiptNo, status: 'under_review', statusLabel: '审核中' });
    // The board on A follows a change made on B (B signals A; A sends its own sockets).
    expect((await board).totals.accepted).toBeGreaterThanOrEqual(2);
  });
});
