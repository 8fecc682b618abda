import { io } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/common/clock.service';
import { DomainEvents } from '../src/common/domain-events';
import { DUTY_LOOKUP, DutyLookup } from '../src/common/ports';
import { writeTicketTopics } from '../src/tickets/ticket-topics';
import { bootApp, engines, TestApp } from './utils/app';

// Week of 2026-11-30 (Mon). Slots: Tue 15–17, Wed 10–12, Thu 15–17 (config/livestream.json).
const TUE = '2026-12-01';
const WED = '2026-12-02';
const THU = '2026-12-03';
const at = (ymd: string, hm: string) => `${ymd}T${hm}:00+08:00`;

describe.each(engines())('livestream schedule on %s', (engine) => {
  let t: TestApp;
  let admin: string;
  let L: Array<{ id: number; name: string; email: string }> = [];
  const auth = () => ({ Authorization: `Bearer ${admin}` });

  beforeAll(async () => {
    t = await bootApp(engine);
    t.get(ClockService).set(new Date('2026-11-28T10:00:00+08:00'));
    admin = await t.token('admin');
    for (const [name, title, dept] of [
      ['张建国', '区住房城乡建设委主任', 'housing'],
      ['李红', '区城管委副主任', 'city'],
      ['王强', '区市场监管局局长', 'fda'],
      ['赵敏', '区住房城乡建设委副主任', 'housing'],
    ]) {
      const r = await t.http().post('/api/leaders').set(auth()).send({ name, title, departmentCode: dept, email: `${name.length}-${title.length}-${L.length}@leaders.example` }).expect(201);
      L.push(r.body);
    }
  });
  afterAll(async () => t?.close());

  it('describes its routes in the OpenAPI document', async () => {
    const doc = await t.http().get('/api/docs-json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining([
      '/api/leaders', '/api/livestream/sessions', '/api/livestream/sessions/{id}', '/api/livestream/sessions/{id}/start', '/api/livestream/sessions/{id}/cancel',
      '/api/livestream/plan/import', '/api/livestream/proposals', '/api/livestream/proposals/confirm', '/api/hotline-duty/shifts', '/api/hotline-duty/shifts/{id}', '/api/mail/outbox', '/api/mail/outbox/{id}/retry',
    ]));
  });

  it('manages leaders: admin only, department checked', async () => {
    const op = await t.token('operator');
    await t.http().get('/api/leaders').set('Authorization', `Bearer ${op}`).expect(403);
    await t.http().post('/api/leaders').set(auth()).send({ name: 'x', title: 'y', departmentCode: 'nowhere', email: 'a@b.example' }).expect(400);
    const list = await t.http().get('/api/leaders').set(auth()).expect(200);
    expect(list.body).toMatchObject({ total: 4, page: 1, pageSize: 50 });
    expect(list.body.items.map((l: { name: string }) => l.name)).toEqual(['张建国', '李红', '王强', '赵敏']);
    expect(list.body.items[0].email).toContain('@leaders.example');
    const housing = await t.http().get('/api/leaders?departmentCode=housing').set(auth()).expect(200);
    expect(housing.body.items.map((l: { name: string }) => l.name)).toEqual(['张建国', '赵敏']);
  });

  it('schedules a session, shows it publicly without e-mail, and announces every change', async () => {
    const seen: Array<{ sessionId: number; status: string }> = [];
    const off = t.get(DomainEvents).on('session.changed', (p) => seen.push(p));
    const r = await t.http().post('/api/livestream/sessions').set(auth())
      .send({ title: '老旧小区加装电梯答疑', departmentCode: 'housing', leaderIds: [L[0].id], topicKeys: ['elevator'], startsAt: at(TUE, '15:00'), endsAt: at(TUE, '16:00') })
      .expect(201);
    expect(r.body).toMatchObject({ status: 'scheduled', planned: false, leaderIds: [L[0].id], topicKeys: ['elevator'] });
    const id = r.body.id;
    const pub = await t.http().get(`/api/livestream/sessions/${id}`).expect(200);
    expect(pub.body.leaders).toEqual([{ id: L[0].id, name: '张建国', title: '区住房城乡建设委主任' }]);
    const list = await t.http().get(`/api/livestream/sessions?from=${encodeURIComponent(at(TUE, '00:00'))}&to=${encodeURIComponent(at(WED, '00:00'))}`).expect(200);
    expect(list.body).toMatchObject({ total: 1, page: 1 });
    for (const text of [JSON.stringify(pub.body), JSON.stringify(list.body)]) expect(text).not.toMatch(/leaders\.example|@/);

    await t.http().patch(`/api/livestream/sessions/${id}`).set(auth()).send({ startsAt: at(TUE, '15:30'), endsAt: at(TUE, '16:30') }).expect(200);
    await t.http().post(`/api/livestream/sessions/${id}/end`).set(auth()).expect(409);
    await t.http().post(`/api/livestream/sessions/${id}/start`).set(auth()).expect(200);
    const bad = await t.http().post(`/api/livestream/sessions/${id}/cancel`).set(auth()).expect(409);
    expect(bad.body.message).toMatch(/allowed: end/);
    const ended = await t.http().post(`/api/livestream/sessions/${id}/end`).set(auth()).expect(200);
    expect(ended.body.status).toBe('ended');
    off();
    expect(seen).toEqual([
      { sessionId: id, status: 'scheduled' },
      { sessionId: id, status: 'scheduled' },
      { sessionId: id, status: 'live' },
      { sessionId: id, status: 'ended' },
    ]);
    // A viewer in the live room hears the status changes of the session.
    const s2 = await t.http().post('/api/livestream/sessions').set(auth())
      .send({ title: '直播间状态推送', departmentCode: 'housing', leaderIds: [L[0].id], startsAt: at(WED, '10:00'), endsAt: at(WED, '11:00') })
      .expect(201);
    const viewer = io(`${t.url}/live`, { auth: { viewerKey: 'viewer-livestream-test-0001' }, transports: ['websocket'], forceNew: true });
    try {
      const joined = await viewer.timeout(5000).emitWithAck('session:join', { sessionId: s2.body.id });
      expect(joined.ok).toBe(true);
      const heard = new Promise((resolve) => viewer.on('session:status', resolve));
      await t.http().post(`/api/livestream/sessions/${s2.body.id}/cancel`).set(auth()).expect(200);
      expect(await heard).toEqual({ sessionId: s2.body.id, status: 'cancelled' });
    } finally {
      viewer.close();
    }
    await t.http().get('/api/livestream/sessions?status=ended').expect(200).expect((x) => expect(x.body.total).toBe(1));
    await t.http().get('/api/livestream/sessions/999999').expect(404);
  });

  it('refuses every kind of clash with 409 naming it', async () => {
    const base = { title: '城市管理热点', departmentCode: 'city', leaderIds: [L[1].id], startsAt: at(THU, '15:00'), endsAt: at(THU, '16:00') };
    const first = await t.http().post('/api/livestream/sessions').set(auth()).send(base).expect(201);
    const before = (await t.http().get('/api/livestream/sessions')).body.total;

    const leaderClash = await t.http().post('/api/livestream/sessions').set(auth()).send({ ...base, title: '另一场', startsAt: at(THU, '15:30'), endsAt: at(THU, '16:30') }).expect(409);
    expect(leaderClash.body.message).toMatch(new RegExp(`leader ${L[1].id} \\(李红\\).*session ${first.body.id}`));

    const room = await t.http().post('/api/livestream/sessions').set(auth()).send({ ...base, title: '市场监管', leaderIds: [L[2].id], startsAt: at(THU, '15:30'), endsAt: at(THU, '16:30') }).expect(409);
    expect(room.body.message).toMatch(new RegExp(`no free livestream room.*session ${first.body.id}`));

    const outside = await t.http().post('/api/livestream/sessions').set(auth()).send({ ...base, leaderIds: [L[2].id], startsAt: at(THU, '09:00'), endsAt: at(THU, '10:00') }).expect(409);
    expect(outside.body.message).toMatch(/outside the weekly livestream slots/);
    const longer = await t.http().post('/api/livestream/sessions').set(auth()).send({ ...base, leaderIds: [L[2].id], startsAt: at(WED, '11:00'), endsAt: at(WED, '12:30') }).expect(409);
    expect(longer.body.message).toMatch(/outside the weekly/);

    const configHoliday = await t.http().post('/api/livestream/sessions').set(auth()).send({ ...base, startsAt: at('2026-12-31', '15:00'), endsAt: at('2026-12-31', '16:00') }).expect(409);
    expect(configHoliday.body.message).toMatch(/holiday \(2026-12-31\)/);
    const nationalDay = await t.http().post('/api/livestream/sessions').set(auth()).send({ ...base, startsAt: at('2026-10-01', '15:00'), endsAt: at('2026-10-01', '16:00') }).expect(409);
    expect(nationalDay.body.message).toMatch(/holiday \(2026-10-01\)/);

    // Reassigning into a clash is refused too, and changes nothing.
    const other = await t.http().post('/api/livestream/sessions').set(auth()).send({ ...base, title: '周三场', leaderIds: [L[2].id], startsAt: at(WED, '10:00'), endsAt: at(WED, '11:00') }).expect(201);
    await t.http().patch(`/api/livestream/sessions/${other.body.id}`).set(auth()).send({ startsAt: at(THU, '16:00'), endsAt: at(THU, '17:00') }).expect(201 - 201 + 200);
    const moved = await t.http().patch(`/api/livestream/sessions/${other.body.id}`).set(auth()).send({ startsAt: at(THU, '15:30'), endsAt: at(THU, '16:30') }).expect(409);
    expect(moved.body.message).toMatch(/no free livestream room/);
    expect((await t.http().get(`/api/livestream/sessions/${other.body.id}`)).body.startsAt).toBe(new Date(at(THU, '16:00')).toISOString());
    // Two requests racing for the same leader and slot: exactly one wins.
    const race = await Promise.all([0, 1, 2].map((i) => t.http().post('/api/livestream/sessions').set(auth()).send({ ...base, title: `抢占${i}`, leaderIds: [L[3].id], startsAt: at('2026-12-10', '15:00'), endsAt: at('2026-12-10', '16:00') })));
    expect(race.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect((await t.http().get('/api/livestream/sessions')).body.total).toBe(before + 2);
    await t.http().post('/api/livestream/sessions').set(auth()).send({ ...base, leaderIds: [9999] }).expect(400);
    await t.http().post('/api/livestream/sessions').set(auth()).send({ ...base, startsAt: 'tomorrow' }).expect(400);
  });

  it('keeps hotline duty and sessions of a leader apart, and tells the tickets who is on duty', async () => {
    const s = await t.http().post('/api/livestream/sessions').set(auth())
      .send({ title: '食品安全', departmentCode: 'fda', leaderIds: [L[2].id], startsAt: at('2026-12-08', '15:00'), endsAt: at('2026-12-08', '16:00') })
      .expect(201);
    const clash = await t.http().post('/api/hotline-duty/shifts').set(auth()).send({ leaderId: L[2].id, startsAt: at('2026-12-08', '14:00'), endsAt: at('2026-12-08', '15:30') }).expect(409);
    expect(clash.body.message).toMatch(new RegExp(`leader ${L[2].id} \\(王强\\).*session ${s.body.id}`));
    const shift = await t.http().post('/api/hotline-duty/shifts').set(auth()).send({ leaderId: L[2].id, startsAt: at('2026-12-08', '09:00'), endsAt: at('2026-12-08', '11:00') }).expect(201);
    expect(shift.body).toMatchObject({ leaderId: L[2].id, leaderName: '王强' });
    const onSession = await t.http().post('/api/livestream/sessions').set(auth())
      .send({ title: '冲突场', departmentCode: 'fda', leaderIds: [L[2].id], startsAt: at('2026-12-09', '10:00'), endsAt: at('2026-12-09', '11:00') })
      .expect(201);
    const shiftClash = await t.http().post('/api/hotline-duty/shifts').set(auth()).send({ leaderId: L[2].id, startsAt: at('2026-12-09', '09:00'), endsAt: at('2026-12-09', '10:30') }).expect(409);
    expect(shiftClash.body.message).toContain(`session ${onSession.body.id}`);
    await t.http().post('/api/hotline-duty/shifts').set(auth()).send({ leaderId: L[2].id, startsAt: at('2026-12-08', '10:00'), endsAt: at('2026-12-08', '12:00') }).expect(409);

    const op = await t.token('operator');
    const roster = await t.http().get(`/api/hotline-duty/shifts?from=${encodeURIComponent(at('2026-12-08', '00:00'))}&to=${encodeURIComponent(at('2026-12-09', '00:00'))}`).set('Authorization', `Bearer ${op}`).expect(200);
    expect(roster.body.items.map((x: { id: number }) => x.id)).toEqual([shift.body.id]);
    await t.http().post('/api/hotline-duty/shifts').set('Authorization', `Bearer ${op}`).send({ leaderId: L[2].id, startsAt: at('2026-12-10', '09:00'), endsAt: at('2026-12-10', '10:00') }).expect(403);

    const duty = t.get<DutyLookup>(DUTY_LOOKUP as never);
    expect(await duty.leaderOnDutyAt(new Date(at('2026-12-08', '10:15')))).toEqual({ leaderId: L[2].id });
    // The hotline marks a ticket logged during the shift with the leader on duty.
    const during = await t.http().post('/api/tickets').set('Authorization', `Bearer ${op}`).send({ content: '小区门口占道经营严重，请处理', callerPhone: '13811112222', receivedAt: at('2026-12-08', '10:15') }).expect(201);
    expect(during.body).toMatchObject({ leaderOnDuty: true, dutyLeaderId: L[2].id });
    const after = await t.http().post('/api/tickets').set('Authorization', `Bearer ${op}`).send({ content: '小区门口占道经营严重，请处理一下', callerPhone: '13811113333', receivedAt: at('2026-12-08', '11:15') }).expect(201);
    expect(after.body.leaderOnDuty).toBe(false);
    expect(await duty.leaderOnDutyAt(new Date(at('2026-12-08', '11:00')))).toBeNull();
    await t.http().delete(`/api/hotline-duty/shifts/${shift.body.id}`).set(auth()).expect(204);
    await t.http().delete(`/api/hotline-duty/shifts/${shift.body.id}`).set(auth()).expect(404);
    expect(await duty.leaderOnDutyAt(new Date(at('2026-12-08', '10:15')))).toBeNull();

    // A roster import is all or nothing, with the same clash rules.
    const badRoster = await t.http().post('/api/hotline-duty/shifts/import').set(auth()).send([
      { leaderId: L[0].id, startsAt: '2026-12-14 09:00', endsAt: '2026-12-14 12:00' },
      { leaderId: L[0].id, startsAt: '2026-12-14 11:00', endsAt: '2026-12-14 13:00' },
      { leaderId: 4242, startsAt: '2026-12-15 09:00', endsAt: '2026-12-15 12:00' },
    ]).expect(400);
    expect(badRoster.body.errors).toEqual([
      { row: 2, message: expect.stringMatching(/leader .*roster row 1/) },
      { row: 3, message: expect.stringMatching(/unknown leader/) },
    ]);
    const csv = 'leaderId,开始时间,结束时间\n' + `${L[0].id},2026-12-14 09:00,2026-12-14 12:00\n${L[1].id},2026-12-14 09:00,2026-12-14 12:00\n`;
    const imported = await t.http().post('/api/hotline-duty/shifts/import').set(auth()).set('Content-Type', 'text/csv').send(csv).expect(201);
    expect(imported.body.created).toBe(2);
    const day = await t.http().get(`/api/hotline-duty/shifts?from=${encodeURIComponent(at('2026-12-14', '00:00'))}&to=${encodeURIComponent(at('2026-12-15', '00:00'))}`).set(auth()).expect(200);
    expect(day.body.items.map((x: { leaderName: string }) => x.leaderName).sort()).toEqual(['张建国', '李红'].sort());
  });

  it('imports the yearly plan from JSON and Chinese CSV, all or nothing with per-row errors', async () => {
    const count = async () => (await t.http().get('/api/livestream/sessions')).body.total as number;
    const before = await count();
    const bad = await t.http().post('/api/livestream/plan/import').set(auth()).send([
      { title: '一月计划', departmentCode: 'housing', startsAt: '2027-01-05 15:00', endsAt: '2027-01-05 16:00', leaderIds: [L[3].id] },
      { title: '', departmentCode: 'housing', startsAt: '2027-01-06 10:00', endsAt: '2027-01-06 11:00' },
      { title: '未知部门', departmentCode: '火星局', startsAt: '2027-01-07 15:00', endsAt: '2027-01-07 16:00' },
      { title: '坏日期', departmentCode: 'city', startsAt: '2027-13-01 15:00', endsAt: '2027-01-07 16:00' },
      { title: '同一领导同一时间', departmentCode: 'housing', startsAt: '2027-01-05 15:30', endsAt: '2027-01-05 16:30', leaderIds: [L[3].id] },
      { title: '不存在的领导', departmentCode: 'city', startsAt: '2027-01-12 15:00', endsAt: '2027-01-12 16:00', leaderIds: [4242] },
    ]).expect(400);
    expect(bad.body.errors.map((e: { row: number }) => e.row)).toEqual([2, 3, 4, 5, 6]);
    expect(bad.body.errors[3].message).toMatch(/schedule clash.*plan row 1/);
    expect(await count()).toBe(before);

    const ok = await t.http().post('/api/livestream/plan/import').set(auth()).send([
      { title: '一月计划：住房保障', departmentCode: 'housing', startsAt: '2027-01-05 15:00', endsAt: '2027-01-05 16:00', leaderIds: [L[3].id], topicKeys: ['property'] },
      { title: '一月计划：城市管理', departmentCode: '区市政市容委', startsAt: '2027-01-06T10:00:00+08:00', endsAt: '2027-01-06T11:00:00+08:00' },
    ]);
    expect(ok.body).toMatchObject({ created: 2 });
    expect(ok.body.sessions[0]).toMatchObject({ planned: true, startsAt: '2027-01-05T07:00:00.000Z', topicKeys: ['property'] });

    const csv = '\ufeff标题,责任单位,开始时间,结束时间,话题,领导\n二月计划：供暖季回顾,housing,2027/2/2 15:00,2027/2/2 16:00,heating;old_community,' + L[0].id + '\n二月计划：垃圾分类,city,2027-02-03 10:00,2027-02-03 11:00,garbage,\n';
    const c = await t.http().post('/api/livestream/plan/import').set(auth()).set('Content-Type', 'text/csv').send(csv).expect(201);
    expect(c.body.sessions.map((s: { title: string; startsAt: string; topicKeys: string[] }) => [s.title, s.startsAt, s.topicKeys])).toEqual([
      ['二月计划：供暖季回顾', '2027-02-02T07:00:00.000Z', ['heating', 'old_community']],
      ['二月计划：垃圾分类', '2027-02-03T02:00:00.000Z', ['garbage']],
    ]);
    const badCsv = 'title,departmentCode,startsAt,endsAt\n三月计划,housing,2027-03-02 15:00,2027-03-02 16:00\n节假日,housing,2026-12-31 15:00,2026-12-31 16:00\n';
    const bc = await t.http().post('/api/livestream/plan/import').set(auth()).set('Content-Type', 'text/csv').send(badCsv).expect(400);
    expect(bc.body.errors).toEqual([{ row: 2, message: expect.stringMatching(/holiday/) }]);
    expect(await count()).toBe(before + 4);
    await t.http().post('/api/livestream/plan/import').set(auth()).send({ not: 'a list' }).expect(400);
    await t.http().post('/api/livestream/plan/import').set(auth()).set('Content-Type', 'text/csv').send('title,"broken\n').expect(400);
  });

  it('proposes sessions for the previous quarter\'s hot topics not yet covered, then creates them', async () => {
    const ds = t.get(DataSource);
    // 2026Q3 tickets with topics (what the topics run writes), handled by departments.
    const rows: Array<[string, string, number]> = [
      ['parking', 'city', 9], ['parking', 'police', 2], ['heating', 'housing', 7], ['garbage', 'city', 5], ['food_safety', 'fda', 4], ['noise', 'env', 3], ['greening', 'greening', 1],
    ];
    let n = 0;
    const topicOf = new Map<string, string>();
    for (const [topic, dept, count] of rows) {
      for (let i = 0; i < count; i++) {
        n++;
        topicOf.set(`P${engine}${n}`, topic);
        await ds.createQueryBuilder().insert().into('tickets').values({
          ticketNo: `P${engine}${n}`, receivedAt: new Date('2026-08-10T02:00:00Z'), quarter: '2026Q3', channel: 'phone', callerPhone: '13800000000', content: '测试工单内容', status: 'closed', departmentCode: dept, createdAt: new Date(), updatedAt: new Date(),
        }).execute();
      }
    }
    const ids = (await ds.query(`SELECT id, ticketNo FROM tickets WHERE ticketNo LIKE 'P${engine}%'`)) as Array<{ id: number; ticketNo: string }>;
    await writeTicketTopics(ds.manager, ids.filter((x) => topicOf.has(x.ticketNo)).map((x) => [Number(x.id), [topicOf.get(x.ticketNo)!]]), false);
    // heating is covered by a planned 2026Q4 session already.
    await t.http().post('/api/livestream/plan/import').set(auth()).send([{ title: '供暖保障', departmentCode: 'housing', startsAt: '2026-12-15 15:00', endsAt: '2026-12-15 16:00', topicKeys: ['heating'] }]).expect(201);
    const p = await t.http().post('/api/livestream/proposals?quarter=2026Q4').set(auth()).expect(200);
    expect(p.body.basedOn).toBe('2026Q3');
    const keys = p.body.proposals.map((x: { topic: { key: string } }) => x.topic.key);
    expect(keys).toContain('parking');
    expect(keys).not.toContain('heating');
    const parking = p.body.proposals.find((x: { topic: { key: string } }) => x.topic.key === 'parking');
    expect(parking).toMatchObject({ departmentCode: 'city', leaderIds: [L[1].id], why: { ticketCount: 11, departmentTickets: 9 } });
    const garbage = p.body.proposals.find((x: { topic: { key: string } }) => x.topic.key === 'garbage');
    // Same leader, two proposals: never at the same time.
    expect(garbage.leaderIds).toEqual([L[1].id]);
    expect(garbage.startsAt).not.toBe(parking.startsAt);
    expect(new Date(parking.startsAt).getTime()).toBeGreaterThan(t.get(ClockService).nowMs());
    const created = await t.http().post('/api/livestream/proposals/confirm').set(auth()).send({ proposals: p.body.proposals.map((x: Record<string, unknown>) => ({ title: x.title, description: x.description, departmentCode: x.departmentCode, leaderIds: x.leaderIds, topicKeys: x.topicKeys, startsAt: x.startsAt, endsAt: x.endsAt })) }).expect(201);
    expect(created.body.every((s: { planned: boolean }) => s.planned === false)).toBe(true);
    // Now covered: proposing again gives none of these topics.
    const again = await t.http().post('/api/livestream/proposals?quarter=2026Q4').set(auth()).expect(200);
    expect(again.body.proposals.map((x: { topic: { key: string } }) => x.topic.key)).not.toContain('parking');
    await t.http().post('/api/livestream/proposals?quarter=2026Q9').set(auth()).expect(400);
  });
});

describe('livestream proposals from the demo data report (sqlite)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp('sqlite', { env: { DEMO_DATA: 'true' } });
  });
  afterAll(async () => t?.close());

  it('covers the 2026Q3 top topics not yet covered in 2026Q4 and never double-books a leader', async () => {
    const admin = await t.token('admin');
    const auth = { Authorization: `Bearer ${admin}` };
    await t.http().post('/api/topics/quarters/2026Q3/run?wait=true').set(auth).expect(202);
    const report = (await t.http().get('/api/topics/quarters/2026Q3').set(auth).expect(200)).body;
    t.get(ClockService).set(new Date('2026-10-01T00:00:00+08:00'));
    const sessions = (await t.http().get(`/api/livestream/sessions?pageSize=500&from=2026-10-01T00:00:00%2B08:00&to=2027-01-01T00:00:00%2B08:00`).expect(200)).body.items as Array<{ status: string; topicKeys: string[]; leaderIds: number[]; startsAt: string; endsAt: string }>;
    const covered = new Set(sessions.filter((s) => s.status === 'scheduled' || s.status === 'live').flatMap((s) => s.topicKeys));
    const p = (await t.http().post('/api/livestream/proposals?quarter=2026Q4').set(auth).expect(200)).body;
    const top = report.topics.slice(0, 5) as Array<{ key: string; topDepartments: Array<{ code: string }> }>;
    for (const topic of top) {
      const prop = p.proposals.find((x: { topic: { key: string } }) => x.topic.key === topic.key);
      if (covered.has(topic.key)) expect(prop).toBeUndefined();
      else {
        expect(prop).toBeDefined();
        expect(prop.departmentCode).toBe(topic.topDepartments[0].code);
        expect(prop.why.text).toContain('2026Q3');
      }
    }
    expect(p.proposals.length + p.skipped.length).toBe(top.length);
    // No leader is in two overlapping appointments, proposals and existing sessions together.
    const all = [...sessions.filter((s) => s.status !== 'cancelled'), ...p.proposals];
    for (const [i, a] of all.entries()) {
      for (const b of all.slice(i + 1)) {
        const overlap = a.startsAt < b.endsAt && b.startsAt < a.endsAt;
        if (overlap) expect(a.leaderIds.filter((l: number) => b.leaderIds.includes(l))).toEqual([]);
      }
    }
    const ok = p.proposals.filter((x: { leaderIds: number[] }) => x.leaderIds.length);
    if (ok.length) {
      const created = await t.http().post('/api/livestream/proposals/confirm').set(auth).send({ proposals: ok.map((x: Record<string, unknown>) => ({ title: x.title, description: x.description, departmentCode: x.departmentCode, leaderIds: x.leaderIds, topicKeys: x.topicKeys, startsAt: x.startsAt, endsAt: x.endsAt })) }).expect(201);
      expect(created.body).toHaveLength(ok.length);
      const outbox = (await t.http().get('/api/mail/outbox?status=pending').set(auth).expect(200)).body;
      expect(outbox.items.filter((m: { subject: string }) => m.subject.includes('【邀请】')).length).toBeGreaterThanOrEqual(ok.length);
    }
  });
});
