import { io, Socket as ClientSocket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/common/clock.service';
import { DomainEvents } from '../src/common/domain-events';
import { WindowService } from '../src/window/window.service';
import { bootApp, engines, findPhones, TestApp } from './utils/app';

const NAMES = ['王小明', '李建国', '张伟华', '刘芳芳', '陈静怡'];
const phone = (i: number) => `139${String(10_000_000 + i).slice(-8)}`;
/** Local Asia/Shanghai time → instant. */
const at = (local: string) => new Date(`${local}+08:00`);

interface Created {
  receiptNo: string;
  queryCode: string;
  status: string;
  dueAt: string;
  applicantName: string;
  applicantPhone: string;
  departmentCode: string;
}

describe.each(engines())('single-window acceptance on %s', (engine) => {
  let t: TestApp;
  let clerk: string;
  let clock: ClockService;
  /** Every public answer and event, scanned for personal data at the end. */
  const publicPayloads: string[] = [];
  const sockets: ClientSocket[] = [];
  let n = 0;

  const create = async (body: Partial<Record<string, unknown>> = {}): Promise<Created> => {
    const i = n++;
    const r = await t
      .http()
      .post('/api/window/applications')
      .set('Authorization', `Bearer ${clerk}`)
      .send({ matter: '营业执照变更登记', applicantName: NAMES[i % NAMES.length], applicantPhone: phone(i), departmentCode: 'city', promisedDays: 5, ...body });
    expect(r.status).toBe(201);
    return r.body as Created;
  };
  const move = (receiptNo: string, status: string, note?: string) =>
    t.http().patch(`/api/window/applications/${receiptNo}/status`).set('Authorization', `Bearer ${clerk}`).send(note ? { status, note } : { status });
  const pub = async (path: string) => {
    const r = await t.http().get(path);
    publicPayloads.push(r.text);
    return r;
  };
  const connect = async (): Promise<ClientSocket> => {
    const s = io(`${t.url}/window`, { transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(s);
    s.onAny((ev, p) => publicPayloads.push(`${ev} ${JSON.stringify(p)}`));
    await new Promise<void>((res, rej) => {
      s.once('connect', () => res());
      s.once('connect_error', rej);
    });
    return s;
  };
  const ack = (s: ClientSocket, payload: unknown) =>
    new Promise<any>((res) => {
      s.timeout(3000).emit('application:watch', payload, (err: unknown, a: unknown) => res(err ? { timeout: true } : a));
    });

  beforeAll(async () => {
    t = await bootApp(engine);
    clerk = await t.token('clerk');
    clock = t.get(ClockService);
    t.get(DomainEvents).on('application.changed', (p) => publicPayloads.push(`event ${JSON.stringify(p)}`));
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    t?.get(ClockService).set(null);
    await t?.close();
  });

  it('accepts an application: readable receipt, code shown once and stored only hashed, due after the National Day holiday', async () => {
    clock.set(at('2026-09-30T10:00:00'));
    const a = await create({ promisedDays: 3 });
    const b = await create({ promisedDays: 3 });
    expect(a.receiptNo).toBe('20260930-city-0001');
    expect(b.receiptNo).toBe('20260930-city-0002');
    expect(a.queryCode).toMatch(/^\d{6}$/);
    // 10-01…10-07 off; 10-08, 10-09 and the make-up Saturday 10-10 are the three working days.
    expect(a.dueAt).toBe('2026-10-10T10:00:00.000Z');
    expect(a).toMatchObject({ status: 'accepted', statusLabel: '受理', applicantName: '王**', applicantPhone: '139****0000', overdue: false });
    const rows = await t.get(DataSource).query(`SELECT * FROM window_applications WHERE receiptNo = '${a.receiptNo}'`);
    expect(JSON.stringify(rows[0])).not.toContain(`"${a.queryCode}"`);
    expect(rows[0].queryCodeHash).toMatch(/^[0-9a-f]{64}$/);
    const list = await t.http().get('/api/window/applications?pageSize=10').set('Authorization', `Bearer ${clerk}`).expect(200);
    expect(list.body).toMatchObject({ total: 2, page: 1, pageSize: 10 });
    expect(list.body.items[0].queryCode).toBeUndefined();
    expect(findPhones(list.text)).toEqual([]);
    expect(list.text).not.toContain('王小明');
    // Still open past the due time: overdue at read, before any job ran.
    clock.set(at('2026-10-12T09:00:00'));
    const late = await pub(`/api/window/applications/${a.receiptNo}?code=${a.queryCode}`);
    expect(late.body.overdue).toBe(true);
  });

  it('refuses bad input, unknown departments, wrong roles', async () => {
    const bad = await t.http().post('/api/window/applications').set('Authorization', `Bearer ${clerk}`).send({ matter: 'x', applicantPhone: '123', promisedDays: 0, extra: 1 }).expect(400);
    expect(bad.body.message.join(' ')).toMatch(/applicantName/);
    expect(bad.body.message.join(' ')).toMatch(/applicantPhone/);
    expect(bad.body.message.join(' ')).toMatch(/promisedDays/);
    const unknown = await t.http().post('/api/window/applications').set('Authorization', `Bearer ${clerk}`).send({ matter: '营业执照', applicantName: '王小明', applicantPhone: phone(1), departmentCode: 'nope', promisedDays: 3 }).expect(400);
    expect(unknown.text).toMatch(/departmentCode/);
    await t.http().post('/api/window/applications').send({}).expect(401);
    const op = await t.token('operator');
    await t.http().post('/api/window/applications').set('Authorization', `Bearer ${op}`).send({}).expect(403);
    await t.http().get('/api/window/applications').set('Authorization', `Bearer ${op}`).expect(403);
    await move('20990101-city-0001', 'under_review').expect(404);
    const doc = await t.http().get('/api/docs-json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/window/applications', '/api/window/applications/{receiptNo}', '/api/window/applications/{receiptNo}/status', '/api/window/board', '/api/window/stats', '/api/window/ratings/bad']),
    );
    await t.http().patch(`/api/window/applications/x/status`).set('Authorization', `Bearer ${clerk}`).send({ status: 'done' }).expect(400);
  });

  it('walks every legal transition with history, and answers every illegal one with 409 listing the allowed next states', async () => {
    clock.set(at('2026-11-27T10:00:00'));
    const legal: Record<string, string[]> = {
      accepted: ['under_review'],
      under_review: ['needs_supplement', 'completed', 'rejected'],
      needs_supplement: ['under_review'],
      completed: [],
      rejected: [],
    };
    const all = Object.keys(legal);
    // Put one application in each state.
    const inState: Record<string, Created> = {};
    for (const s of all) inState[s] = await create({ promisedDays: 1 });
    await move(inState.under_review.receiptNo, 'under_review').expect(200);
    await move(inState.needs_supplement.receiptNo, 'under_review').expect(200);
    await move(inState.needs_supplement.receiptNo, 'needs_supplement', '请补充身份证复印件').expect(200);
    await move(inState.completed.receiptNo, 'under_review').expect(200);
    const done = await move(inState.completed.receiptNo, 'completed').expect(200);
    expect(done.body).toMatchObject({ status: 'completed', statusLabel: '已办结' });
    expect(done.body.completedAt).toBe(at('2026-11-27T10:00:00').toISOString());
    await move(inState.rejected.receiptNo, 'under_review').expect(200);
    await move(inState.rejected.receiptNo, 'rejected').expect(200);
    // Friday + 1 working day → Monday 18:00 across the weekend.
    expect(inState.accepted.dueAt).toBe(at('2026-11-30T18:00:00').toISOString());

    for (const from of all) {
      for (const to of all.filter((x) => !legal[from].includes(x))) {
        const r = await move(inState[from].receiptNo, to);
        expect(r.status).toBe(409);
        expect(r.body.allowed).toEqual(legal[from]);
        expect(r.body.message).toContain(legal[from].length ? legal[from].join(', ') : 'none');
      }
    }
    // The needs_supplement one goes back to review, and each legal step from a fresh row works.
    await move(inState.needs_supplement.receiptNo, 'under_review').expect(200);
    const fresh = await create({});
    for (const s of ['under_review', 'needs_supplement', 'under_review', 'rejected']) expect((await move(fresh.receiptNo, s)).status).toBe(200);
    const view = await pub(`/api/window/applications/${fresh.receiptNo}?code=${fresh.queryCode}`);
    expect(view.body.history.map((h: { status: string }) => h.status)).toEqual(['accepted', 'under_review', 'needs_supplement', 'under_review', 'rejected']);
    expect(view.body.history.map((h: { statusLabel: string }) => h.statusLabel)).toEqual(['受理', '审核中', '需补正材料', '审核中', '不予受理']);
    // Illegal tries changed nothing.
    const back = await pub(`/api/window/applications/${inState.accepted.receiptNo}?code=${inState.accepted.queryCode}`);
    expect(back.body.status).toBe('accepted');
    expect(back.body.history).toHaveLength(1);
  });

  it('shows the applicant a masked status in Chinese; notes are masked; wrong code = unknown receipt = the same 404', async () => {
    clock.set(at('2026-11-30T10:00:00'));
    const a = await create({ applicantName: '李建国', applicantPhone: '13812345678' });
    await move(a.receiptNo, 'under_review', '已电话联系李建国 13812345678').expect(200);
    const r = await pub(`/api/window/applications/${a.receiptNo}?code=${a.queryCode}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ receiptNo: a.receiptNo, status: 'under_review', statusLabel: '审核中', applicantName: '李**', applicantPhone: '138****5678', departmentCode: 'city' });
    expect(r.body.history[1].note).toBe('已电话联系李** 138****5678');
    expect(r.body.queryCodeHash).toBeUndefined();
    const wrongCode = a.queryCode === '000000' ? '000001' : '000000';
    const wrong = await pub(`/api/window/applications/${a.receiptNo}?code=${wrongCode}`);
    const unknown = await pub(`/api/window/applications/20261130-city-9999?code=${a.queryCode}`);
    expect(wrong.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(wrong.body).toEqual(unknown.body);
    await t.http().get(`/api/window/applications/${a.receiptNo}?code=12ab`).expect(400);
    await t.http().get(`/api/window/applications/${a.receiptNo}`).expect(400);
    // Similar time: many lookups of each kind, medians within a few ms of each other.
    const time = async (path: string) => {
      const s = process.hrtime.bigint();
      await t.http().get(path);
      return Number(process.hrtime.bigint() - s) / 1e6;
    };
    const tw: number[] = [];
    const tu: number[] = [];
    for (let i = 0; i < 12; i++) {
      const x = await create({});
      tw.push(await time(`/api/window/applications/${x.receiptNo}?code=${x.queryCode === '000000' ? '000001' : '000000'}`));
      tu.push(await time(`/api/window/applications/20261130-city-${9000 + i}?code=123456`));
    }
    const med = (xs: number[]) => xs.sort((p, q) => p - q)[Math.floor(xs.length / 2)];
    expect(Math.abs(med(tw) - med(tu))).toBeLessThan(40);
  });

  it('locks a receipt for 15 minutes after 5 wrong codes (429, also for the right code), then lets the right code in', async () => {
    clock.set(at('2026-11-30T11:00:00'));
    const a = await create({});
    const wrongCode = a.queryCode === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i++) expect((await pub(`/api/window/applications/${a.receiptNo}?code=${wrongCode}`)).status).toBe(404);
    const locked = await pub(`/api/window/applications/${a.receiptNo}?code=${a.queryCode}`);
    expect(locked.status).toBe(429);
    expect(locked.body.retryAfterSeconds).toBeGreaterThan(0);
    const rateLocked = await t.http().post(`/api/window/applications/${a.receiptNo}/rating?code=${a.queryCode}`).send({ rating: 5 });
    expect(rateLocked.status).toBe(429);
    const s = await connect();
    expect(await ack(s, { receiptNo: a.receiptNo, code: a.queryCode })).toMatchObject({ ok: false, error: { code: 'rate_limited', retryAfterMs: expect.any(Number) } });
    // Unknown receipts lock the same way (no way to tell them apart).
    for (let i = 0; i < 5; i++) expect((await pub(`/api/window/applications/20261130-city-8888?code=${wrongCode}`)).status).toBe(404);
    expect((await pub(`/api/window/applications/20261130-city-8888?code=${wrongCode}`)).status).toBe(429);
    clock.advance(14 * 60_000);
    expect((await pub(`/api/window/applications/${a.receiptNo}?code=${a.queryCode}`)).status).toBe(429);
    clock.advance(60_000 + 1000);
    expect((await pub(`/api/window/applications/${a.receiptNo}?code=${a.queryCode}`)).status).toBe(200);
    // A success clears the failure count: 4 wrong + right + 4 wrong is not a lockout.
    for (let i = 0; i < 4; i++) await pub(`/api/window/applications/${a.receiptNo}?code=${wrongCode}`);
    await pub(`/api/window/applications/${a.receiptNo}?code=${a.queryCode}`);
    for (let i = 0; i < 4; i++) await pub(`/api/window/applications/${a.receiptNo}?code=${wrongCode}`);
    expect((await pub(`/api/window/applications/${a.receiptNo}?code=${a.queryCode}`)).status).toBe(200);
  });

  it('lets a watcher see exactly the changes of its own receipt; board:update reaches everyone; garbage never crashes', async () => {
    clock.set(at('2026-11-30T14:00:00'));
    const a = await create({});
    const b = await create({});
    const sa = await connect();
    const sb = await connect();
    const bystander = await connect();
    const got = { a: [] as any[], b: [] as any[], x: [] as any[], boardX: 0 };
    sa.on('application:status', (p) => got.a.push(p));
    sb.on('application:status', (p) => got.b.push(p));
    bystander.on('application:status', (p) => got.x.push(p));
    bystander.on('board:update', () => got.boardX++);

    const okA = await ack(sa, { receiptNo: a.receiptNo, code: a.queryCode });
    expect(okA).toMatchObject({ ok: true, application: { receiptNo: a.receiptNo, status: 'accepted', statusLabel: '受理', applicantName: expect.stringMatching(/^.\*+$/) } });
    expect((await ack(sb, { receiptNo: b.receiptNo, code: b.queryCode })).ok).toBe(true);
    const wrong = await ack(bystander, { receiptNo: a.receiptNo, code: a.queryCode === '000000' ? '000001' : '000000' });
    expect(wrong).toEqual({ ok: false, error: { code: 'not_found', message: expect.any(String) } });
    for (const junk of ['x', null, 42, [], { receiptNo: 1, code: 2 }, { receiptNo: a.receiptNo }, { receiptNo: a.receiptNo, code: a.queryCode, extra: 1 }, { receiptNo: 'x'.repeat(5000), code: '123456' }]) {
      const r = await ack(bystander, junk);
      expect(r.ok).toBe(false);
      expect(r.error.code).toBe('bad_request');
    }
    bystander.emit('application:watch', { receiptNo: a.receiptNo }); // no ack callback
    bystander.emit('application:watch'); // nothing at all
    expect((await ack(bystander, { receiptNo: '20990101-city-0001', code: '123456' })).error.code).toBe('not_found');

    await move(a.receiptNo, 'under_review', '材料齐全').expect(200);
    await move(b.receiptNo, 'under_review').expect(200);
    await move(a.receiptNo, 'completed').expect(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(got.a.map((p) => [p.receiptNo, p.status])).toEqual([
      [a.receiptNo, 'under_review'],
      [a.receiptNo, 'completed'],
    ]);
    expect(got.a[0]).toMatchObject({ note: '材料齐全', statusLabel: '审核中', at: at('2026-11-30T14:00:00').toISOString() });
    expect(got.b.map((p) => [p.receiptNo, p.status])).toEqual([[b.receiptNo, 'under_review']]);
    expect(got.x).toEqual([]);
    expect(got.boardX).toBeGreaterThanOrEqual(1);
    expect(got.boardX).toBeLessThanOrEqual(3);
    expect(bystander.connected).toBe(true);
  });

  it('takes one rating after completion (好差评), shows it in stats and lists bad ones for follow-up', async () => {
    clock.set(at('2026-12-01T09:30:00'));
    const open = await create({ departmentCode: 'hrss' });
    expect((await t.http().post(`/api/window/applications/${open.receiptNo}/rating?code=${open.queryCode}`).send({ rating: 5 })).status).toBe(409);
    const rated: Created[] = [];
    for (let i = 0; i < 3; i++) {
      const x = await create({ departmentCode: 'hrss' });
      await move(x.receiptNo, 'under_review').expect(200);
      await move(x.receiptNo, 'completed').expect(200);
      rated.push(x);
    }
    const r1 = await t.http().post(`/api/window/applications/${rated[0].receiptNo}/rating?code=${rated[0].queryCode}`).send({ rating: '非常满意', comment: '很好' });
    expect(r1.status).toBe(201);
    expect(r1.body).toMatchObject({ rating: 5, ratingLabel: '非常满意' });
    publicPayloads.push(r1.text);
    expect((await t.http().post(`/api/window/applications/${rated[0].receiptNo}/rating?code=${rated[0].queryCode}`).send({ rating: 1 })).status).toBe(409);
    expect((await t.http().post(`/api/window/applications/${rated[1].receiptNo}/rating?code=${rated[1].queryCode}`).send({ rating: 9 })).status).toBe(400);
    expect((await t.http().post(`/api/window/applications/${rated[1].receiptNo}/rating?code=000000x`).send({ rating: 2 })).status).toBe(400);
    await t.http().post(`/api/window/applications/${rated[1].receiptNo}/rating?code=${rated[1].queryCode}`).send({ rating: 2, comment: '等太久，请回电13812345678' }).expect(201);
    await t.http().post(`/api/window/applications/${rated[2].receiptNo}/rating?code=${rated[2].queryCode}`).send({ rating: '非常不满意' }).expect(201);

    const stats = await t.http().get('/api/window/stats?from=2026-12-01&to=2026-12-02').set('Authorization', `Bearer ${clerk}`).expect(200);
    const hrss = stats.body.departments.find((d: { code: string }) => d.code === 'hrss');
    expect(hrss).toMatchObject({ ratings: 3, average: 2.67, satisfiedRate: 0.3333, bad: 2, distribution: { 1: 1, 2: 1, 3: 0, 4: 0, 5: 1 } });
    await t.http().get('/api/window/stats?from=2026-12-02&to=2026-12-01').set('Authorization', `Bearer ${clerk}`).expect(400);
    await t.http().get('/api/window/stats').expect(401);

    const bad = await t.http().get('/api/window/ratings/bad?departmentCode=hrss').set('Authorization', `Bearer ${clerk}`).expect(200);
    expect(bad.body.total).toBe(2);
    expect(bad.body.items.map((x: { rating: number }) => x.rating).sort()).toEqual([1, 2]);
    expect(findPhones(bad.text)).toEqual([]);
    expect(bad.text).toContain('138****5678');
    for (const name of NAMES) expect(bad.text).not.toContain(name);

    const board = await pub('/api/window/board');
    expect(board.body.departments.find((d: { code: string }) => d.code === 'hrss').satisfaction).toMatchObject({ ratings: 3, bad: 2 });
  });

  it('counts the board after a scripted day of 500 applications, with overdue ones across a weekend and the National Day holiday', async () => {
    const db = t.get(DataSource);
    await db.query('DELETE FROM window_application_history');
    await db.query('DELETE FROM window_applications');
    // Before the holiday: due Sat 2026-10-10 (make-up working day) 18:00.
    clock.set(at('2026-09-30T10:00:00'));
    for (let i = 0; i < 4; i++) await create({ departmentCode: 'civil', promisedDays: 3 });
    // Friday before: 10-10 (make-up Saturday) and Monday 10-12 count, Sunday 10-11 does not → due Mon 18:00.
    clock.set(at('2026-10-09T16:00:00'));
    const friday: Created[] = [];
    for (let i = 0; i < 6; i++) friday.push(await create({ departmentCode: 'hrss', promisedDays: 2 }));
    expect(friday[0].dueAt).toBe(at('2026-10-12T18:00:00').toISOString());

    const watcher = await connect();
    let boards = 0;
    let lastBoard: any;
    watcher.on('board:update', (b) => {
      boards++;
      lastBoard = b;
    });
    const started = Date.now();
    const deps = ['city', 'realty', 'hrss', 'civil', 'edu'];
    const base = at('2026-10-12T08:30:00').getTime();
    const day: Created[] = [];
    // 50 rounds of 10 clerks at once, one round every 10 minutes (08:30 … 16:40).
    const acceptedMs = (i: number) => base + Math.floor(i / 10) * 600_000;
    for (let k = 0; k < 50; k++) {
      clock.set(new Date(acceptedMs(k * 10)));
      const round = await Promise.all(Array.from({ length: 10 }, (_, j) => create({ departmentCode: deps[(k * 10 + j) % 5], promisedDays: 1 + ((k * 10 + j) % 10) })));
      day.push(...round);
    }
    expect(new Set(day.map((d) => d.receiptNo)).size).toBe(500);
    expect(day.filter((d) => d.receiptNo.startsWith('20261012-edu-')).map((d) => d.receiptNo).sort()[99]).toBe('20261012-edu-0100');
    clock.set(at('2026-10-12T17:00:00'));
    const inParallel = async (idx: number[], fn: (i: number) => Promise<unknown>) => {
      for (let k = 0; k < idx.length; k += 10) await Promise.all(idx.slice(k, k + 10).map(fn));
    };
    const all = Array.from({ length: 500 }, (_, i) => i);
    await inParallel(all, async (i) => {
      if (i % 4 === 0 || i % 10 === 1 || i % 10 === 3) expect((await move(day[i].receiptNo, 'under_review')).status).toBe(200);
      if (i % 10 === 1) expect((await move(day[i].receiptNo, 'rejected')).status).toBe(200);
      if (i % 10 === 3) expect((await move(day[i].receiptNo, 'needs_supplement')).status).toBe(200);
    });
    clock.set(at('2026-10-12T17:30:00'));
    const hours: number[] = [];
    await inParallel(
      all.filter((i) => i % 4 === 0),
      async (i) => expect((await move(day[i].receiptNo, 'completed')).status).toBe(200),
    );
    for (let i = 0; i < 500; i += 4) hours.push((at('2026-10-12T17:30:00').getTime() - acceptedMs(i)) / 3_600_000);
    const avg = Math.round((hours.reduce((x, y) => x + y, 0) / hours.length) * 100) / 100;

    // 17:59: only the 4 from before the holiday are late.
    clock.set(at('2026-10-12T17:59:00'));
    let b = (await pub('/api/window/board')).body;
    expect(b.date).toBe('2026-10-12');
    expect(b.totals).toMatchObject({ accepted: 500, completed: 125, rejected: 50, inProgress: 335, overdue: 4 });
    // 19:00: the Friday ones (due Monday 18:00) are late too — recomputed at read, and then kept by the job.
    clock.set(at('2026-10-12T19:00:00'));
    b = (await pub('/api/window/board')).body;
    expect(b.totals).toMatchObject({ accepted: 500, completed: 125, rejected: 50, inProgress: 335, overdue: 10, avgHandlingHours: avg });
    expect(await t.get(WindowService).markOverdue()).toBe(10);
    expect(await t.get(WindowService).markOverdue()).toBe(0);
    const byDep = Object.fromEntries(b.departments.map((d: { code: string }) => [d.code, d]));
    expect(byDep.civil).toMatchObject({ accepted: 100, overdue: 4, name: '区民政局' });
    expect(byDep.hrss).toMatchObject({ accepted: 100, overdue: 6 });
    expect(byDep.city).toMatchObject({ accepted: 100, completed: 25, rejected: 0, overdue: 0, inProgress: 75 });
    expect(byDep.realty).toMatchObject({ accepted: 100, completed: 25, rejected: 50, overdue: 0, inProgress: 25 });
    const list = await t.http().get('/api/window/applications?overdue=true&pageSize=500').set('Authorization', `Bearer ${clerk}`).expect(200);
    expect(list.body.total).toBe(10);
    expect(list.body.items.every((x: { overdue: boolean }) => x.overdue)).toBe(true);
    const notLate = await t.http().get('/api/window/applications?overdue=false&pageSize=1').set('Authorization', `Bearer ${clerk}`).expect(200);
    expect(notLate.body.total).toBe(500);
    await t.http().get('/api/window/applications?overdue=maybe').set('Authorization', `Bearer ${clerk}`).expect(400);
    // Overdue stays true once the job set it, even if completed afterwards.
    await move(friday[0].receiptNo, 'under_review').expect(200);
    const late = await move(friday[0].receiptNo, 'completed').expect(200);
    expect(late.body.overdue).toBe(true);
    // Next day the board starts fresh but keeps the still-open ones.
    clock.set(at('2026-10-13T09:00:00'));
    b = (await pub('/api/window/board')).body;
    expect(b.totals).toMatchObject({ accepted: 0, completed: 0, inProgress: 334 });

    // board:update at most once a second while all of this happened.
    await new Promise((r) => setTimeout(r, 1200));
    const seconds = (Date.now() - started) / 1000;
    expect(boards).toBeGreaterThanOrEqual(1);
    expect(boards).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expect(lastBoard.totals).toBeDefined();
  }, 180_000);

  it('never puts personal data in a public answer, event or log line', () => {
    const text = publicPayloads.join('\n');
    expect(publicPayloads.length).toBeGreaterThan(50);
    expect(text.match(/1[3-9]\d{9}/g) ?? []).toEqual([]);
    for (const name of NAMES) expect(text).not.toContain(name);
    const logs = t.logs.join('');
    expect(findPhones(logs)).toEqual([]);
    for (const name of NAMES) expect(logs).not.toContain(name);
  });
});
