import { ADMIN, bootApp, engines, TestApp } from './utils/app';
import { createTestDatabase } from './utils/mysql';
import { TcpProxy } from './utils/tcp-proxy';

const onMariaDb = engines().includes('mariadb') ? describe : describe.skip;

/** The database goes away under a running server: readiness says so, nothing crashes, and it recovers by itself. */
onMariaDb('database outage on mariadb', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    const u = new URL(db.url);
    proxy = new TcpProxy(u.hostname, Number(u.port || 3306));
    const port = await proxy.start();
    u.hostname = '127.0.0.1';
    u.port = String(port);
    t = await bootApp('mariadb', { databaseUrl: u.toString() });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.cut();
    await drop?.();
  });

  it('answers 503 on readiness within 2 s while the database is down, keeps serving liveness, and recovers', async () => {
    await t.http().get('/health/ready').expect(200);
    await proxy.cut();
    const started = Date.now();
    const down = await t.http().get('/health/ready');
    expect(down.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2000);
    await t.http().get('/health').expect(200);
    // A request that needs the database gets a clear answer, not a crash.
    const login = await t.http().post('/api/auth/login').send(ADMIN);
    expect(login.status).toBe(503);
    expect(login.body.message).toMatch(/database/);

    await proxy.restore();
    let ok = false;
    for (let i = 0; i < 60 && !ok; i++) {
      ok = (await t.http().get('/health/ready')).status === 200;
      if (!ok) await new Promise((r) => setTimeout(r, 500));
    }
    expect(ok).toBe(true);
    await t.http().post('/api/auth/login').send(ADMIN).expect(200);
  });
});
