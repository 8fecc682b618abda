import { ROLES, type Role } from '../src/users/user.entity';
import { bootApp, TestApp } from './utils/app';
import { concrete, RouteInfo, routesOf } from './utils/routes';

describe('authorization matrix (every REST route × every role and anonymous)', () => {
  let t: TestApp;
  let routes: RouteInfo[];
  const tokens = new Map<Role, string>();

  beforeAll(async () => {
    t = await bootApp('sqlite');
    routes = routesOf(t);
    for (const r of ROLES) tokens.set(r, await t.token(r));
  });
  afterAll(async () => t?.close());

  it('finds the routes of every module', () => {
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    for (const p of ['POST /api/tickets', 'GET /api/tickets/stats', 'POST /api/topics/quarters/:quarter/run', 'POST /api/livestream/sessions', 'GET /api/mail/outbox', 'POST /api/window/applications', 'GET /api/livestream/sessions/:id/questions', 'POST /api/users']) {
      expect(paths).toContain(p);
    }
    // Every Express route under /api and /open311 is known to Nest's metadata (no route escapes the matrix).
    const router = (t.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string } }> } }).router;
    const known = new Set(routes.map((r) => r.path));
    const unknown = router.stack
      .filter((l) => l.route && /^\/(api|open311)\//.test(l.route.path) && !l.route.path.startsWith('/api/docs'))
      .map((l) => l.route!.path)
      .filter((p) => !known.has(p));
    expect(unknown).toEqual([]);
  });

  it('lets in exactly the declared roles: 401 without a token, 403 for other roles, never a 5xx', async () => {
    const failures: string[] = [];
    const anyStaff: string[] = [];
    for (const r of routes) {
      const url = concrete(r.path);
      const call = (token?: string) => {
        const req = (t.http() as unknown as Record<string, (u: string) => import('supertest').Test>)[r.method.toLowerCase()](url);
        if (token) req.set('Authorization', `Bearer ${token}`);
        return r.method === 'GET' || r.method === 'DELETE' ? req : req.send({});
      };
      const anon = await call();
      if (anon.status >= 500) failures.push(`${r.method} ${r.path} anonymous → ${anon.status}`);
      if (!r.isPublic && anon.status !== 401) failures.push(`${r.method} ${r.path} anonymous → ${anon.status}, expected 401`);
      if (r.isPublic) continue;
      if (!r.roles) anyStaff.push(`${r.method} ${r.path}`);
      for (const role of ROLES) {
        const res = await call(tokens.get(role));
        const allowed = role === 'admin' || !r.roles || r.roles.includes(role);
        if (res.status >= 500) failures.push(`${r.method} ${r.path} as ${role} → ${res.status}`);
        else if (allowed && (res.status === 401 || res.status === 403)) failures.push(`${r.method} ${r.path} as ${role} → ${res.status}, expected to be let in`);
        else if (!allowed && res.status !== 403) failures.push(`${r.method} ${r.path} as ${role} → ${res.status}, expected 403`);
      }
    }
    expect(failures).toEqual([]);
    // Routes open to any signed-in staff member are listed here on purpose: a new one shows up in review.
    expect(anyStaff.sort()).toEqual(['GET /api/auth/me']);
  });

  it('logs every refusal without personal data', async () => {
    const op = tokens.get('operator')!;
    await t.http().get('/api/users').set('Authorization', `Bearer ${op}`).expect(403);
    const { DataSource } = await import('typeorm');
    const rows = await t.app.get(DataSource).query(`SELECT action, target, detail FROM audit_log WHERE action = 'access.denied'`);
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toMatch(/1[3-9]\d{9}/);
  });
});
