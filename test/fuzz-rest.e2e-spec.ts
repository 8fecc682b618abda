import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import type { Test as Req } from 'supertest';
import { TopicsService } from '../src/topics/topics.service';
import { bootApp, Engine, engines, TestApp } from './utils/app';
import { dbMark } from './utils/db-digest';
import { fill, RouteInfo, routesOf } from './utils/routes';

/**
 * Property test over EVERY REST route (listed from Nest's route metadata, so a new route is fuzzed without
 * touching this file), called anonymously and/or with the admin token (admin passes every role check), with
 * generated path params, query strings and bodies: random JSON, wrong types, huge strings, deep nesting,
 * prototype-pollution keys, SQL/script text, unicode, invalid UTF-8 as raw bodies of several content types,
 * oversized bodies. Properties: never a 5xx, the server stays up, and a request answered 4xx writes nothing
 * (utils/db-digest: all tables but the audit log compared around each request; the run is sequential).
 *
 * Short in `npm test`; long: `FUZZ_RUNS=2000 npx jest test/fuzz-rest` or `npm run fuzz`.
 */
/** Cases per route: FUZZ_RUNS on SQLite (default 100); MariaDB FUZZ_RUNS_MARIADB, else a fifth of that (default 15). */
const RUNS = (engine: Engine) =>
  engine === 'sqlite' ? Number(process.env.FUZZ_RUNS ?? 100) : Number(process.env.FUZZ_RUNS_MARIADB ?? (process.env.FUZZ_RUNS ? Math.ceil(Number(process.env.FUZZ_RUNS) / 5) : 15));
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

// ---------- values ----------
const nasty = fc.constantFrom(
  "'; DROP TABLE tickets; --",
  "1' OR '1'='1",
  '1; SELECT SLEEP(5)',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '${7*7}{{7*7}}',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '\u202e\u200b\ufeff',
  '𠀀𠀁😀👨‍👩‍👧',
  '\ud800',
  '\udfff\ud800',
  '\ufffd',
  'Ã©Ã¨',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e309',
  '0x10',
  ' ',
  '',
);
const plausibleText = fc.constantFrom('小区门口占道经营严重，希望尽快处理。', '德胜', 'city', '城管', 'desheng', 'heating', '2026Q3', '2026-11-20T10:00:00+08:00', '2026-11-20', 'phone', 'approved', 'received', 'dispatched', 'closed', 'true', '1', '2');
const hugeString = fc.constantFrom(5_000, 70_000, 300_000).map((n) => '长'.repeat(n));
const text = fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 60 }) }, { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) }, { weight: 3, arbitrary: nasty }, { weight: 3, arbitrary: plausibleText }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) });
const number = fc.oneof(fc.integer({ min: -3, max: 5 }), fc.integer(), fc.double(), fc.constantFrom(2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER));
const weird = fc.oneof(
  { weight: 4, arbitrary: text },
  { weight: 3, arbitrary: number },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 2, maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], [[]], { length: 1e9 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(text, number), { maxLength: 40 }) },
);

/** Values close to what a field's validators accept (so requests get past validation into the services). */
function plausibleFor(cls: unknown, prop: string): fc.Arbitrary<unknown> {
  const metas = getMetadataStorage().getTargetValidationMetadatas(cls as new () => unknown, '', true, false).filter((m) => m.propertyName === prop);
  const out: Array<fc.Arbitrary<unknown>> = [];
  for (const m of metas) {
    const name = m.name ?? '';
    const c = (m.constraints ?? []) as unknown[];
    if (name === 'isIn' && Array.isArray(c[0])) out.push(fc.constantFrom(...(c[0] as unknown[])));
    else if (name === 'isEnum' && c[0] && typeof c[0] === 'object') out.push(fc.constantFrom(...Object.values(c[0] as object)));
    else if (/^(isInt|min|max|isNumber|isPositive)$/.test(name)) out.push(fc.integer({ min: -1, max: 6 }));
    else if (/isDateString|isISO8601|isDate/.test(name)) out.push(fc.date({ min: new Date('2025-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }).map((d) => d.toISOString()));
    else if (name === 'isBoolean') out.push(fc.boolean());
    else if (name === 'isEmail') out.push(fc.constantFrom('a@example.org', 'x@y'));
    else if (name === 'isArray') out.push(fc.array(fc.oneof(fc.integer({ min: 1, max: 3 }), plausibleText), { maxLength: 3 }));
  }
  if (!out.length) out.push(plausibleText);
  return fc.oneof(...out);
}

function dtoProps(cls?: unknown): string[] {
  if (!cls) return [];
  return [...new Set(getMetadataStorage().getTargetValidationMetadatas(cls as new () => unknown, '', true, false).map((m) => m.propertyName))];
}

/** An object with the DTO's keys (some), values plausible or weird, plus sometimes an unknown or dangerous key. */
function dtoObject(cls: unknown): fc.Arbitrary<Record<string, unknown>> {
  const props = dtoProps(cls);
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of props) fields[p] = fc.oneof({ weight: 3, arbitrary: plausibleFor(cls, p) }, { weight: 2, arbitrary: weird }, { weight: 1, arbitrary: hugeString });
  const base = props.length ? fc.record(fields, { requiredKeys: [] }) : fc.constant({} as Record<string, unknown>);
  return fc.tuple(base, fc.option(fc.tuple(fc.constantFrom('extra', 'id', 'role', 'isAdmin', 'createdAt', '$where', '__proto__', 'constructor', 'toString', ''), weird), { freq: 3 })).map(([b, extra]) => {
    if (!extra) return b;
    const o: Record<string, unknown> = { ...b };
    Object.defineProperty(o, extra[0], { value: extra[1], enumerable: true, configurable: true, writable: true });
    return o;
  });
}

const deepJson = fc.tuple(fc.constantFrom(50, 1_000, 20_000), fc.constantFrom('{"a":', '[', '{"content":')).map(([n, open]) => (open.startsWith('[') ? '['.repeat(n) + '1' + ']'.repeat(n) : open.repeat(n) + '1' + '}'.repeat(n)));
const pollution = fc.constantFrom(
  '{"__proto__":{"polluted":"yes","role":"admin"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"content":"x","__proto__":{"isAdmin":true},"prototype":{"x":1}}',
  '[{"__proto__":{"polluted":"yes"}}]',
);

/** Bytes that are not UTF-8: lone continuation bytes, 0xC3 0x28, 0xFF, truncated multibyte sequences, overlongs, surrogates. */
const badUtf8 = fc.constantFrom(
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xff]),
  Buffer.from([0xfe, 0xff]),
  Buffer.from([0xe6, 0xb5]), // first two bytes of 测
  Buffer.from([0xf0, 0x9f, 0x98]), // truncated 😀
  Buffer.from([0xc0, 0xaf]), // overlong /
  Buffer.from([0xed, 0xa0, 0x80]), // UTF-8 encoded surrogate
  Buffer.from([0x80, 0x80, 0x80]),
);
const rawBody = fc.oneof(
  fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)),
  fc.tuple(badUtf8, fc.constantFrom('{"content":"', 'ticketNo,receivedAt,content,callerPhone\nA1,2026-11-20,', '{"ticketNo":"U1","receivedAt":"2026-11-20","content":"路灯不亮', '', '['), fc.constantFrom('"}', '路灯不亮，晚上出行不便。,13912345678\n', '"}\n', '')).map(([b, pre, post]) => Buffer.concat([Buffer.from(pre), b, Buffer.from(post)])),
  fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=nope',
  'text/csv',
  'application/x-ndjson',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/octet-stream',
  '',
);

type Body = { kind: 'none' } | { kind: 'json'; text: string } | { kind: 'raw'; type: string; bytes: Buffer };

function bodyFor(r: RouteInfo): fc.Arbitrary<Body> {
  const json = fc.oneof(
    { weight: 6, arbitrary: dtoObject(r.bodyType).map((o) => JSON.stringify(o)) },
    { weight: 2, arbitrary: fc.anything({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: deepJson },
    { weight: 1, arbitrary: pollution },
    { weight: 1, arbitrary: fc.array(dtoObject(r.bodyType), { maxLength: 3 }).map((a) => JSON.stringify(a)) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":1,}', "{'a':1}", 'nul', '"string"', '12', '[1,2', '{"a":"\\x"}', '\u0000') },
  );
  return fc.oneof(
    { weight: r.method === 'GET' || r.method === 'DELETE' ? 1 : 6, arbitrary: json.map((text) => ({ kind: 'json' as const, text })) },
    { weight: r.rawRequest ? 6 : 3, arbitrary: fc.tuple(contentType, rawBody).map(([type, bytes]) => ({ kind: 'raw' as const, type, bytes })) },
    { weight: r.method === 'GET' || r.method === 'DELETE' ? 6 : 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  );
}

const enc = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'));
  }
};
/** A path segment: URL-encoded text, or raw percent sequences that do not decode (invalid UTF-8). */
const paramValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('1', '2', '3', '0', '-1', '999999', '2147483648', '1.5', '1e3', '0x10', ' 1', '2026Q3', '2026Q5', '2099Q1', '20261120-city-0001', '20261120-city-0002', 'null', 'undefined').map(enc) },
  { weight: 3, arbitrary: fc.oneof(text, fc.integer().map(String)).map(enc) },
  { weight: 1, arbitrary: fc.constantFrom('%FF', '%C3%28', '%E6%B5', '%', '%zz', '%00', '%2e%2e%2f%2e%2e', '..', '%2F', '%u0041') },
  { weight: 1, arbitrary: fc.constantFrom(300, 5_000).map((n) => '9'.repeat(n)) },
);

function queryFor(r: RouteInfo): fc.Arbitrary<string> {
  const props = dtoProps(r.queryType);
  const known = props.length ? fc.constantFrom(...props) : fc.constant('page');
  const key = fc.oneof({ weight: 5, arbitrary: known }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'code', 'wait', 'page', 'pageSize', 'q', 'a[b]', '') }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });
  const value = (k: string) =>
    fc.oneof(
      { weight: 3, arbitrary: (props.includes(k) ? plausibleFor(r.queryType, k) : plausibleText).map((v) => enc(String(v))) },
      { weight: 3, arbitrary: fc.oneof(text, number.map(String)).map(enc) },
      { weight: 1, arbitrary: fc.constantFrom('%FF', '%C3%28', '%', '%zz', '9'.repeat(400), '') },
    );
  const pair = key.chain((k) => fc.array(value(k), { minLength: 1, maxLength: 3 }).map((vs) => vs.map((v) => `${enc(k)}=${v}`).join('&')));
  return fc.array(pair, { maxLength: 4 }).map((ps) => (ps.length ? `?${ps.join('&')}` : ''));
}

interface Case {
  params: Record<string, string>;
  query: string;
  body: Body;
  anonymous: boolean;
}

describe.each(engines())('REST fuzz over every route on %s', (engine) => {
  let t: TestApp;
  let admin: string;
  let routes: RouteInfo[];

  let mark: () => Promise<string>;

  beforeAll(async () => {
    t = await bootApp(engine, { env: { LOGIN_MAX_FAILURES: '1000000' } });
    admin = await t.token('admin');
    routes = routesOf(t);
    mark = dbMark(t);
    // A little real data, so small ids and known receipt numbers reach the services, not just "not found".
    const auth = (r: Req) => r.set('Authorization', `Bearer ${admin}`);
    for (const i of [1, 2]) {
      await auth(t.http().post('/api/tickets')).send({ content: '小区门口占道经营严重，希望尽快处理。', callerPhone: `1391234000${i}`, callerName: '赵大勇', channel: 'phone', street: '德胜' }).expect(201);
    }
    const clerk = await t.token('clerk');
    await t.http().post('/api/window/applications').set('Authorization', `Bearer ${clerk}`).send({ matter: '营业执照变更登记', applicantName: '钱小丽', applicantPhone: '13912340009', departmentCode: 'city', promisedDays: 5 }).expect(201);
    const leader = await auth(t.http().post('/api/leaders')).send({ name: '张伟', title: '区城管委主任', departmentCode: 'city', email: 'zw@example.org' }).expect(201);
    await auth(t.http().post('/api/livestream/sessions'))
      .send({ title: '接诉即办', departmentCode: 'city', leaderIds: [leader.body.id], startsAt: '2026-12-01T15:00:00+08:00', endsAt: '2026-12-01T16:00:00+08:00' })
      .expect(201);
  });
  afterAll(async () => t?.close());

  it('every route: never a 5xx, the server stays up, nothing written by a 4xx answer', async () => {
    const runs = RUNS(engine);
    const failures: string[] = [];
    const tally = { requests: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0, routes: routes.length };
    const send = (r: RouteInfo, c: Case): Req => {
      const url = fill(r.path, c.params) + c.query;
      let req = (t.http() as unknown as Record<string, (u: string) => Req>)[r.method.toLowerCase()](url).timeout(20_000);
      if (!c.anonymous) req = req.set('Authorization', `Bearer ${admin}`);
      if (c.body.kind === 'json') req = req.set('Content-Type', 'application/json').send(c.body.text);
      else if (c.body.kind === 'raw') req = (c.body.type ? req.set('Content-Type', c.body.type) : req).send(c.body.bytes);
      return req;
    };
    let last = await mark();
    const check = async (r: RouteInfo, c: Case): Promise<string | null> => {
      // Sequential run, no background work between requests: the mark after the last request is the one before this.
      const before = last;
      let status: number;
      let resBody: unknown;
      try {
        const res = await send(r, c);
        status = res.status;
        resBody = res.body;
      } catch (e) {
        last = await mark();
        return `${r.method} ${r.path}: no answer (${(e as Error).message})`;
      }
      tally.requests++;
      if (status >= 500) tally.s5xx++;
      else if (status >= 400) tally.s4xx++;
      else if (status >= 300) tally.s3xx++;
      else tally.s2xx++;
      if (status >= 500) {
        last = await mark();
        return `${r.method} ${r.path} → ${status} ${JSON.stringify(resBody).slice(0, 200)}`;
      }
      // A valid request may start background work (a quarter's topic run): let it finish before the next mark.
      if (status < 400) await t.get(TopicsService).idle();
      const after = (last = await mark());
      const nothingWritten = status >= 400 || (r.rawRequest && (resBody as { inserted?: number })?.inserted === 0);
      if (nothingWritten && after !== before) return `${r.method} ${r.path} → ${status} but wrote to the database`;
      return null;
    };

    for (const r of routes) {
      const params = fc.record(Object.fromEntries(r.params.map((p) => [p, paramValue])) as Record<string, fc.Arbitrary<string>>);
      const c: fc.Arbitrary<Case> = fc.record({ params, query: queryFor(r), body: bodyFor(r), anonymous: r.isPublic ? fc.boolean() : fc.constant(false) });
      const out = await fc.check(
        fc.asyncProperty(c, async (x) => {
          const problem = await check(r, x);
          if (problem) throw new Error(problem);
        }),
        { numRuns: runs, seed: SEED, endOnFailure: !!process.env.CI },
      );
      if (out.failed) failures.push(`${(out.errorInstance as Error)?.message ?? String(out.errorInstance)}\n    counterexample: ${JSON.stringify(out.counterexample).slice(0, 600)}\n    seed ${out.seed} path ${out.counterexample ? out.counterexamplePath : ''}`);
      // Oversized bodies (beyond BODY_LIMIT = 1 MB by default): refused before any handler runs.
      if (!r.rawRequest && r.method !== 'GET') {
        const big = JSON.stringify({ content: 'x'.repeat(1_200_000) });
        const problem = await check(r, { params: Object.fromEntries(r.params.map((p) => [p, '1'])), query: '', body: { kind: 'json', text: big }, anonymous: false });
        if (problem) failures.push(problem);
      }
    }
    // eslint-disable-next-line no-console
    console.log(`REST fuzz on ${engine}: ${JSON.stringify(tally)} (${runs} cases per route); leak scanner saw ${JSON.stringify(t.leakScan)}`);
    expect(failures).toEqual([]);
    expect(tally.s4xx).toBeGreaterThan(tally.routes * runs * 0.5);
    // Still up, still answering; the process-wide Object.prototype is untouched by the pollution payloads.
    await t.http().get('/health').expect(200);
    await t.http().get('/api/auth/me').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(t.logs.join('').match(/unhandled /g)).toBeNull();
    // The leak scanner saw the anonymous answers of this run (and fails the suite in close() on a leak).
    expect(t.leakScan.restAnswers).toBeGreaterThan(routes.filter((r) => r.isPublic).length * runs * 0.25);
  }, Math.max(120_000, RUNS(engine) * 60 * 25));
});
