import { DataSource } from 'typeorm';
import { ClockService } from '../src/common/clock.service';
import { writeTicketTopics } from '../src/tickets/ticket-topics';
import { bootApp, engines, findPhones, TestApp } from './utils/app';

const body = (over: Record<string, unknown> = {}) => ({
  callerPhone: '13812345678',
  callerName: '王女士',
  content: '小区门口占道经营严重，希望城管部门尽快处理。',
  street: '德胜街道',
  channel: 'phone',
  ...over,
});

describe.each(engines())('tickets on %s', (engine) => {
  let t: TestApp;
  let op: string;
  let admin: string;
  let mod: string;
  let leader: string;
  const auth = (tok: string) => ({ Authorization: `Bearer ${tok}` });

  beforeAll(async () => {
    t = await bootApp(engine);
    [op, admin, mod, leader] = await Promise.all([t.token('operator'), t.token('admin'), t.token('moderator'), t.token('leader')]);
  });
  afterAll(async () => t?.close());

  it('creates a ticket with generated number, resolved street and department, and a history row', async () => {
    const r = await t.http().post('/api/tickets').set(auth(op)).send(body({ departmentCode: '城管执法局', street: '德胜' })).expect(201);
    expect(r.body.ticketNo).toMatch(/^XC\d{16}$/);
    expect(r.body).toMatchObject({ status: 'received', street: '德胜', callerPhone: '13812345678', channel: 'phone', leaderOnDuty: false, repeatOf: null });
    expect(r.body.departmentCode).toBe('enforcement');
    const byCode = await t.http().post('/api/tickets').set(auth(op)).send(body({ street: 'desheng', departmentCode: 'city' })).expect(201);
    expect(byCode.body).toMatchObject({ street: '德胜', departmentCode: 'city' });
    expect(r.body.quarter).toMatch(/^\d{4}Q[1-4]$/);
    expect(r.body.dueAt).toEqual(expect.any(String));
    const h = await t.http().get(`/api/tickets/${r.body.id}/history`).set(auth(op)).expect(200);
    expect(h.body).toHaveLength(1);
    expect(h.body[0]).toMatchObject({ fromStatus: null, toStatus: 'received' });
  });

  it('rejects bad bodies with per-field 400 and duplicate numbers with 409', async () => {
    const bad = await t.http().post('/api/tickets').set(auth(op)).send({ content: 'abc', callerPhone: '12345', channel: 'fax', extra: 1 }).expect(400);
    const msg = bad.body.message.join(' ');
    expect(msg).toMatch(/content/);
    expect(msg).toMatch(/callerPhone/);
    expect(msg).toMatch(/channel/);
    expect(msg).toMatch(/extra/);
    await t.http().post('/api/tickets').set(auth(op)).send(body({ street: '不存在街道' })).expect(400);
    await t.http().post('/api/tickets').set(auth(op)).send(body({ departmentCode: 'nope' })).expect(400);
    await t.http().post('/api/tickets').set(auth(op)).send(body({ receivedAt: '2026-13-40' })).expect(400);
    await t.http().post('/api/tickets').set(auth(op)).send(body({ content: 'x'.repeat(2001) })).expect(400);
    await t.http().post('/api/tickets').set(auth(op)).send(body({ ticketNo: 'DUP-1' })).expect(201);
    const dup = await t.http().post('/api/tickets').set(auth(op)).send(body({ ticketNo: 'DUP-1' })).expect(409);
    expect(dup.body.message).toMatch(/DUP-1/);
    // landline accepted
    await t.http().post('/api/tickets').set(auth(op)).send(body({ callerPhone: '010-66012345' })).expect(201);
  });

  it('enforces roles: anonymous 401, leader 403 on the list, operator 403 on admin routes, ids validated', async () => {
    await t.http().get('/api/tickets').expect(401);
    await t.http().post('/api/tickets').send(body()).expect(401);
    await t.http().get('/api/tickets').set(auth(leader)).expect(403);
    await t.http().post('/api/tickets').set(auth(mod)).send(body()).expect(403);
    await t.http().get('/api/tickets/1').set(auth(mod)).expect(403);
    await t.http().get('/api/tickets').set(auth(mod)).expect(200);
    await t.http().get('/api/tickets/stats').set(auth(leader)).expect(200);
    await t.http().get('/api/users').set(auth(op)).expect(403);
    await t.http().get('/api/tickets/abc').set(auth(op)).expect(400);
    await t.http().get('/api/tickets/999999').set(auth(op)).expect(404);
    await t.http().post('/api/tickets/import').set(auth(mod)).set('Content-Type', 'text/csv').send('a\n').expect(403);
  });

  it('masks names and phones in every list and audits the unmasked single read', async () => {
    const c = await t.http().post('/api/tickets').set(auth(op)).send(body({ callerPhone: '13900001111', callerName: '李先生' })).expect(201);
    for (const tok of [op, admin, mod]) {
      const l = await t.http().get('/api/tickets?pageSize=500').set(auth(tok)).expect(200);
      expect(l.body.total).toBeGreaterThan(0);
      expect(findPhones(JSON.stringify(l.body))).toEqual([]);
      const mine = l.body.items.find((x: { id: number }) => x.id === c.body.id);
      expect(mine).toMatchObject({ callerPhone: '139****1111', callerName: '李**' });
    }
    const one = await t.http().get(`/api/tickets/${c.body.id}`).set(auth(op)).expect(200);
    expect(one.body).toMatchObject({ callerPhone: '13900001111', callerName: '李先生' });
    const rows = await t.get(DataSource).query(`SELECT action, target, detail FROM audit_log WHERE action = 'ticket.read_personal'`);
    expect(rows).toEqual(expect.arrayContaining([expect.objectContaining({ target: `ticket:${c.body.id}` })]));
    expect(findPhones(JSON.stringify(rows))).toEqual([]);
    expect(JSON.stringify(rows)).not.toContain('李先生');
    expect(findPhones(t.logs.join(''))).toEqual([]);
  });

  it('filters by quarter, street, department, status, q, topic and paginates', async () => {
    const mk = (o: Record<string, unknown>) => t.http().post('/api/tickets').set(auth(op)).send(body(o)).expect(201);
    await mk({ receivedAt: '2025-02-10T10:00:00+08:00', street: '牛街', content: '牛街清真寺附近暖气不热，请供热公司检修。', callerPhone: '13511112222' });
    await mk({ receivedAt: '2025-02-11T10:00:00+08:00', street: '牛街街道', content: '百分之百_特殊字符%测试内容很长', callerPhone: '13511113333' });
    const q1 = await t.http().get('/api/tickets?quarter=2025Q1').set(auth(op)).expect(200);
    expect(q1.body.total).toBe(2);
    const s = await t.http().get(`/api/tickets?street=${encodeURIComponent('牛街街道')}&q=${encodeURIComponent('暖气')}`).set(auth(op)).expect(200);
    expect(s.body.total).toBe(1);
    const pct = await t.http().get(`/api/tickets?q=${encodeURIComponent('%')}`).set(auth(op)).expect(200);
    expect(pct.body.total).toBe(1);
    const p = await t.http().get('/api/tickets?quarter=2025Q1&pageSize=1&page=2').set(auth(op)).expect(200);
    expect(p.body).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(p.body.items).toHaveLength(1);
    await t.http().get('/api/tickets?quarter=2025Q9').set(auth(op)).expect(400);
    await t.http().get('/api/tickets?pageSize=501').set(auth(op)).expect(400);
    await t.http().get('/api/tickets?status=nope').set(auth(op)).expect(400);
    const from = await t.http().get('/api/tickets?from=2025-02-11T00:00:00%2B08:00&to=2025-03-01').set(auth(op)).expect(200);
    expect(from.body.total).toBe(1);
    const ds = t.get(DataSource);
    const [{ id }] = await ds.query(`SELECT id FROM tickets WHERE callerPhone = '13511112222'`);
    await writeTicketTopics(ds.manager, [[Number(id), ['heating', 'noise']]]);
    const topic = await t.http().get('/api/tickets?topic=heating').set(auth(op)).expect(200);
    expect(topic.body.items.map((x: { topics: string[] }) => x.topics)).toEqual([['heating', 'noise']]);
  });

  it('walks the state machine with history; every illegal transition is a 409 listing the allowed states', async () => {
    const c = (await t.http().post('/api/tickets').set(auth(op)).send(body({ callerPhone: '13622223333', content: '路灯坏了很久没人修理，晚上很黑。' })).expect(201)).body;
    const patch = (s: Record<string, unknown>) => t.http().patch(`/api/tickets/${c.id}/status`).set(auth(op)).send(s);
    const all = ['received', 'dispatched', 'in_progress', 'replied', 'closed'];
    const legal: Record<string, string[]> = { received: ['dispatched'], dispatched: ['received', 'in_progress'], in_progress: ['replied'], replied: ['closed', 'in_progress'], closed: [] };
    const full = { departmentCode: 'city', reply: '已处理', satisfaction: 'satisfied' };
    const illegal = async (from: string) => {
      for (const to of all.filter((s) => !legal[from].includes(s))) {
        const r = await patch({ status: to, ...full });
        expect(r.status).toBe(409);
        expect(r.body.message).toContain(legal[from].length ? legal[from].join(', ') : 'none');
      }
    };
    await illegal('received');
    expect((await patch({ status: 'dispatched' })).status).toBe(400); // needs departmentCode
    expect((await patch({ status: 'dispatched', departmentCode: 'nope' })).status).toBe(400);
    let r = await patch({ status: 'dispatched', departmentCode: 'city' }).expect(200);
    expect(r.body.firstDispatchedAt).toEqual(expect.any(String));
    await illegal('dispatched');
    await patch({ status: 'received', note: '派错了' }).expect(200);
    await patch({ status: 'dispatched', departmentCode: 'enforcement' }).expect(200);
    await patch({ status: 'in_progress' }).expect(200);
    await illegal('in_progress');
    expect((await patch({ status: 'replied' })).status).toBe(400);
    r = await patch({ status: 'replied', reply: '已安排维修' }).expect(200);
    expect(r.body.repliedAt).toEqual(expect.any(String));
    await illegal('replied');
    r = await patch({ status: 'in_progress', note: '群众不认可' }).expect(200);
    expect(r.body.reopenCount).toBe(1);
    await patch({ status: 'replied', reply: '已修好' }).expect(200);
    expect((await patch({ status: 'closed' })).status).toBe(400);
    r = await patch({ status: 'closed', satisfaction: 'basically_satisfied' }).expect(200);
    expect(r.body).toMatchObject({ status: 'closed', satisfaction: 'basically_satisfied', dueAt: null, overdue: false, departmentCode: 'enforcement' });
    await illegal('closed');
    const h = await t.http().get(`/api/tickets/${c.id}/history`).set(auth(op)).expect(200);
    expect(h.body.map((x: { toStatus: string }) => x.toStatus)).toEqual(['received', 'dispatched', 'received', 'dispatched', 'in_progress', 'replied', 'in_progress', 'replied', 'closed']);
    await t.http().patch(`/api/tickets/${c.id}/status`).set(auth(op)).send({ status: 'bogus' }).expect(400);
    await t.http().patch(`/api/tickets/999999/status`).set(auth(op)).send({ status: 'dispatched', departmentCode: 'city' }).expect(404);
  });

  it('links repeat calls from the same phone with similar content within 30 days', async () => {
    const first = (await t.http().post('/api/tickets').set(auth(op)).send(body({ callerPhone: '13744445555', content: '楼下饭馆油烟扰民严重，晚上十点还在营业，请求处理。' })).expect(201)).body;
    const second = (await t.http().post('/api/tickets').set(auth(op)).send(body({ callerPhone: '13744445555', content: '楼下饭馆油烟扰民严重，晚上十点多还在营业，请尽快处理！' })).expect(201)).body;
    const other = (await t.http().post('/api/tickets').set(auth(op)).send(body({ callerPhone: '13744445555', content: '孩子上学派位问题咨询教委。' })).expect(201)).body;
    expect(second.repeatOf).toBe(first.id);
    expect(other.repeatOf).toBeNull();
    const one = await t.http().get(`/api/tickets/${first.id}`).set(auth(op)).expect(200);
    expect(one.body.repeatCount).toBe(1);
    const l = await t.http().get('/api/tickets?repeat=true').set(auth(op)).expect(200);
    expect(l.body.items.map((x: { id: number }) => x.id)).toContain(second.id);
  });

  it('flags overdue tickets when their due time passes', async () => {
    const clock = t.get(ClockService);
    const c = (await t.http().post('/api/tickets').set(auth(op)).send(body({ callerPhone: '13855556666', content: '井盖丢失存在安全隐患，请尽快处理。' })).expect(201)).body;
    expect(c.overdue).toBe(false);
    clock.advance(10 * 86_400_000);
    try {
      const l = await t.http().get('/api/tickets?overdue=true&pageSize=500').set(auth(op)).expect(200);
      expect(l.body.items.map((x: { id: number }) => x.id)).toContain(c.id);
      expect(l.body.items.every((x: { overdue: boolean }) => x.overdue)).toBe(true);
      const s = await t.http().get('/api/tickets/stats').set(auth(op)).expect(200);
      expect(s.body.totals.overdue).toBeGreaterThan(0);
    } finally {
      clock.set(null);
      clock.advance(-10 * 86_400_000);
    }
  });
});
