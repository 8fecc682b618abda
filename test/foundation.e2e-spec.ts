import { DataSource } from 'typeorm';
import { ADMIN, bootApp, engines, TestApp } from './utils/app';

describe.each(engines())('foundation on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp(engine, { env: { LOGIN_MAX_FAILURES: '3' } });
  });
  afterAll(async () => t?.close());

  it('answers liveness, readiness, metrics and the OpenAPI document', async () => {
    expect((await t.http().get('/health')).body).toEqual({ status: 'ok' });
    const ready = await t.http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.database).toBe('up');
    const m = await t.http().get('/metrics');
    expect(m.status).toBe(200);
    expect(m.text).toContain('hub_http_requests_total');
    const doc = await t.http().get('/api/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/users', '/api/departments']));
    expect((await t.http().get('/api/docs/')).status).toBe(200);
  });

  it('sends security headers and no x-powered-by', async () => {
    const r = await t.http().get('/health');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    expect(r.headers['x-powered-by']).toBeUndefined();
  });

  it('lists the departments and the 15 streets publicly', async () => {
    const r = await t.http().get('/api/departments').expect(200);
    const streets = r.body.filter((d: { kind: string }) => d.kind === 'street');
    expect(streets).toHaveLength(15);
    expect(streets.map((s: { name: string }) => s.name)).toContain('德胜街道');
    for (const code of ['city', 'realty', 'police', 'enforcement', 'housing', 'env', 'fda', 'safety', 'edu', 'hrss', 'civil', 'greening', 'commerce']) {
      expect(r.body.find((d: { code: string }) => d.code === code)?.kind).toBe('department');
    }
  });

  it('logs in the first admin and refuses wrong passwords with 401', async () => {
    const ok = await t.http().post('/api/auth/login').send(ADMIN).expect(200);
    expect(ok.body.accessToken).toEqual(expect.any(String));
    expect(ok.body.user).toMatchObject({ username: 'admin', role: 'admin', departmentCode: null });
    expect(ok.body.user.passwordHash).toBeUndefined();
    await t.http().post('/api/auth/login').send({ username: 'admin', password: 'nope' }).expect(401);
    await t.http().post('/api/auth/login').send({ username: 'admin' }).expect(400);
  });

  it('throttles repeated failed logins with 429 and records them in the audit log', async () => {
    for (let i = 0; i < 3; i++) await t.http().post('/api/auth/login').send({ username: 'victim', password: `x${i}` }).expect(401);
    const r = await t.http().post('/api/auth/login').send({ username: 'victim', password: 'again' });
    expect(r.status).toBe(429);
    const rows = await t.get(DataSource).query(`SELECT action FROM audit_log WHERE actorName = 'victim'`);
    expect(rows.map((x: { action: string }) => x.action)).toEqual(expect.arrayContaining(['login.failed', 'login.throttled']));
  });

  it('lets only admin manage users: 401 anonymous, 403 other roles, 409 duplicates, 400 bad fields', async () => {
    await t.http().get('/api/users').expect(401);
    await t.http().get('/api/users').set('Authorization', 'Bearer not-a-token').expect(401);
    const op = await t.token('operator');
    await t.http().get('/api/users').set('Authorization', `Bearer ${op}`).expect(403);
    const admin = await t.token('admin');
    const body = { username: 'mod1', password: 'password-1', role: 'moderator', displayName: '主持人𠀀😀', email: 'mod1@example.org' };
    const created = await t.http().post('/api/users').set('Authorization', `Bearer ${admin}`).send(body).expect(201);
    expect(created.body).toMatchObject({ username: 'mod1', role: 'moderator', displayName: '主持人𠀀😀' });
    await t.http().post('/api/users').set('Authorization', `Bearer ${admin}`).send(body).expect(409);
    const bad = await t.http().post('/api/users').set('Authorization', `Bearer ${admin}`).send({ ...body, username: 'x y', role: 'king', extra: 1 }).expect(400);
    expect(bad.body.message.join(' ')).toMatch(/username/);
    expect(bad.body.message.join(' ')).toMatch(/role/);
    expect(bad.body.message.join(' ')).toMatch(/extra/);
    const list = await t.http().get('/api/users?pageSize=500').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(list.body).toMatchObject({ page: 1, pageSize: 500 });
    expect(list.body.items.find((u: { username: string }) => u.username === 'mod1').displayName).toBe('主持人𠀀😀');
    await t.http().get('/api/users?pageSize=501').set('Authorization', `Bearer ${admin}`).expect(400);
  });

  it('answers bad bodies with 4xx, never 500', async () => {
    await t.http().post('/api/auth/login').set('Content-Type', 'application/json').send('{"username": ').expect(400);
    const big = JSON.stringify({ username: 'a', password: 'x'.repeat(2 * 1024 * 1024) });
    await t.http().post('/api/auth/login').set('Content-Type', 'application/json').send(big).expect(413);
  });

  it('refuses tampered, expired and alg:none tokens', async () => {
    const good = await t.token('admin');
    const [h, p] = good.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 1, username: 'admin', role: 'admin' })).toString('base64url')}.${good.split('.')[2]}`;
    for (const tok of [none, tampered, `${good}x`]) await t.http().get('/api/users').set('Authorization', `Bearer ${tok}`).expect(401);
  });
});
