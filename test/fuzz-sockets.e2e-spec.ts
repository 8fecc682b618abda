import fc from 'fast-check';
import request from 'supertest';
import { io, Socket as ClientSocket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { ACK_CODES } from '../src/qa/qa-errors';
import { QaQuestion } from '../src/qa/question.entity';
import { makeLeader, makeSession, sleep, viewerKey } from './qa-live';
import { bootApp, Engine, engines, TestApp } from './utils/app';
import { dbMark } from './utils/db-digest';

/**
 * Property test over EVERY client → server event of EVERY socket.io namespace. The namespaces are the app's own
 * (from its socket.io server) and the events are read from the listeners a connected socket has on the server,
 * so a new gateway or event is fuzzed without touching this file. Anonymous and admin sockets send random
 * payloads (wrong types, deep nesting, unpaired surrogates, U+FFFD, prototype keys, binary, several arguments);
 * every ack is an {ok, error:{code}} object (never `unavailable`, the socket twin of a 5xx), and a refused event
 * writes nothing. Then frames beyond maxHttpBufferSize, text frames with invalid UTF-8 (websocket) and invalid
 * bytes through the polling transport: the offender is cut off or refused, everyone else carries on.
 *
 * Short in `npm test`; long: `FUZZ_SOCKET_RUNS=2000 npx jest test/fuzz-sockets` or `npm run fuzz`.
 */
/** Cases per event: FUZZ_SOCKET_RUNS on SQLite (default 150); MariaDB FUZZ_SOCKET_RUNS_MARIADB, else a fifth of that (default 30). */
const RUNS = (engine: Engine) =>
  engine === 'sqlite'
    ? Number(process.env.FUZZ_SOCKET_RUNS ?? 150)
    : Number(process.env.FUZZ_SOCKET_RUNS_MARIADB ?? (process.env.FUZZ_SOCKET_RUNS ? Math.ceil(Number(process.env.FUZZ_SOCKET_RUNS) / 5) : 30));
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const RESERVED = new Set(['disconnect', 'disconnecting', 'error', 'connect', 'connect_error', 'newListener', 'removeListener']);

const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('\ud800', 'a\udfff', '\ufffd', '路灯\ufffd(', "'; DROP TABLE qa_questions; --", '<script>alert(1)</script>', '𠀀😀', '\u0000', '', ' ', '习近平'),
  fc.constantFrom(300, 1500).map((n) => '长'.repeat(n)),
);
const id = fc.oneof(fc.integer({ min: -1, max: 4 }), fc.integer(), fc.double(), fc.constantFrom('1', null, true, [], {}, 2 ** 53 + 1));
const shaped = fc.record(
  {
    sessionId: id,
    questionId: id,
    receiptNo: fc.oneof(text, fc.constantFrom('20261120-city-0001', '20991231-city-0001')),
    code: fc.oneof(text, fc.constantFrom('000000', '123456')),
    text,
    nickname: text,
    decision: fc.oneof(fc.constantFrom('approve', 'reject'), text),
    reason: text,
    answer: text,
    onAir: fc.oneof(fc.boolean(), text),
    leaderId: id,
    extra: fc.anything({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const deep = fc.constantFrom(33, 200, 2000).map((n) => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
});
const polluted = fc.constantFrom('{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}},"sessionId":1}').map((s) => JSON.parse(s) as unknown);
const payload = fc.oneof(
  { weight: 5, arbitrary: shaped },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 3, maxKeys: 5 }) },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: polluted },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);
/** Frames stay under maxHttpBufferSize (8 KB) here; bigger ones have their own test below. */
const fits = (a: unknown[]) => Buffer.byteLength(JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? '') < 6_500;
const args = fc.oneof({ weight: 6, arbitrary: payload.map((p) => [p]) }, { weight: 1, arbitrary: fc.array(payload, { minLength: 2, maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant([]) }).filter((a) => fits(a as unknown[]));

/** `p`, or `fallback` after `ms` (the timer is cleared either way, so no handle outlives the test). */
function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((res) => (timer = setTimeout(() => res(fallback), ms)))]).finally(() => clearTimeout(timer));
}

function connectTo(url: string, nsp: string, auth: Record<string, unknown>, transports: string[] = ['websocket']): Promise<ClientSocket> {
  return new Promise((resolve, reject) => {
    const s = io(`${url}${nsp}`, { auth, transports, reconnection: false, forceNew: true });
    const timer = setTimeout(() => reject(new Error(`connect ${nsp} timeout`)), 10_000);
    s.once('connect', () => (clearTimeout(timer), resolve(s)));
    s.once('connect_error', (e) => (clearTimeout(timer), s.close(), reject(e)));
  });
}

/** An engine.io websocket spoken by hand, to send frames no socket.io client would (invalid UTF-8, fragments). */
async function rawSocket(url: string, nsp: string, viewer: string): Promise<{ ws: WebSocket; messages: string[]; closed: Promise<number> }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const messages: string[] = [];
  const closed = new Promise<number>((res) => ws.on('close', (code) => res(code)));
  ws.on('message', (d) => {
    const m = d.toString();
    if (m === '2') ws.send('3'); // ping → pong
    messages.push(m);
  });
  await new Promise((res, rej) => (ws.once('open', res), ws.once('error', rej)));
  const waitFor = async (pred: (m: string) => boolean) => {
    for (let i = 0; i < 200; i++) {
      if (messages.some(pred)) return;
      await sleep(25);
    }
    throw new Error(`raw socket: no message matching in ${JSON.stringify(messages)}`);
  };
  await waitFor((m) => m.startsWith('0{'));
  ws.send(`40${nsp},${JSON.stringify({ viewerKey: viewer })}`);
  await waitFor((m) => m.startsWith(`40${nsp},`));
  return { ws, messages, closed };
}

describe.each(engines())('socket fuzz over every namespace and event on %s', (engine) => {
  let t: TestApp;
  let admin: string;
  let sessionId: number;
  const sockets: ClientSocket[] = [];
  let events: Array<{ nsp: string; event: string }> = [];

  beforeAll(async () => {
    t = await bootApp(engine);
    admin = await t.token('admin');
    const leader = await makeLeader(t, '周区长', null);
    sessionId = (await makeSession(t, [leader.id])).id;
    await t.get(DataSource).getRepository(QaQuestion).insert({ sessionId, text: '已有问题：供暖什么时候开始？', viewerKey: 'seed-viewer-0001', status: 'approved', createdAt: new Date() });
    const clerk = await t.token('clerk');
    await t.http().post('/api/window/applications').set('Authorization', `Bearer ${clerk}`).send({ matter: '营业执照变更登记', applicantName: '孙美丽', applicantPhone: '13912348888', departmentCode: 'city', promisedDays: 5 }).expect(201);
    // Every namespace of the app, every event a connected socket listens to on the server.
    const server = t.io()!;
    const nsps = [...(server as unknown as { _nsps: Map<string, unknown> })._nsps.keys()].filter((n) => n !== '/');
    for (const nsp of nsps) {
      const s = await connectTo(t.url, nsp, { viewerKey: viewerKey('probe') });
      const serverSocket = server.of(nsp).sockets.get(s.id!)!;
      for (const e of serverSocket.eventNames()) if (typeof e === 'string' && !RESERVED.has(e)) events.push({ nsp, event: e });
      s.close();
    }
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  it('finds the events of every gateway', () => {
    const names = events.map((e) => `${e.nsp} ${e.event}`);
    for (const e of ['/live session:join', '/live question:ask', '/live question:moderate', '/live question:upvote', '/live question:answer', '/live question:highlight', '/window application:watch']) expect(names).toContain(e);
  });

  it('random payloads to every event, anonymous and admin: error acks only (never "unavailable"), nothing written by a refusal', async () => {
    const mark = dbMark(t);
    const runs = RUNS(engine);
    const clients = new Map<string, { anon: ClientSocket; staff: ClientSocket }>();
    for (const nsp of new Set(events.map((e) => e.nsp))) {
      const anon = await connectTo(t.url, nsp, { viewerKey: viewerKey('fuzz') });
      const staff = await connectTo(t.url, nsp, { token: admin });
      sockets.push(anon, staff);
      clients.set(nsp, { anon, staff });
    }
    // The anonymous viewer is in the live room, so broadcasts reach it (and the leak scanner).
    expect((await clients.get('/live')!.anon.timeout(5000).emitWithAck('session:join', { sessionId })).ok).toBe(true);
    const tally = { acks: 0, ok: 0, refused: 0 };
    let last = await mark();
    const failures: string[] = [];
    for (const { nsp, event } of events) {
      const out = await fc.check(
        fc.asyncProperty(args, fc.boolean(), async (a, asStaff) => {
          const c = clients.get(nsp)!;
          const s = asStaff ? c.staff : c.anon;
          const before = last;
          if (!s.connected) throw new Error(`${nsp} ${event}: the ${asStaff ? 'admin' : 'anonymous'} socket was disconnected by an earlier payload`);
          const r = (await s
            .timeout(8000)
            .emitWithAck(event, ...(a as []))
            .catch((e: Error) => {
              throw new Error(`${nsp} ${event}: no ack (${e.message})`);
            })) as { ok?: boolean; error?: { code?: string; message?: unknown } };
          tally.acks++;
          last = await mark();
          if (!r || typeof r !== 'object' || typeof r.ok !== 'boolean') throw new Error(`${nsp} ${event}: ack is not {ok,…}: ${JSON.stringify(r).slice(0, 200)}`);
          if (r.ok) {
            tally.ok++;
            return;
          }
          tally.refused++;
          if (!ACK_CODES.includes(r.error?.code as never) || r.error?.code === 'unavailable' || typeof r.error?.message !== 'string') {
            throw new Error(`${nsp} ${event}: bad error ack ${JSON.stringify(r).slice(0, 300)}`);
          }
          if (last !== before) throw new Error(`${nsp} ${event}: refused (${r.error.code}) but wrote to the database`);
        }),
        { numRuns: runs, seed: SEED, endOnFailure: true },
      );
      if (out.failed) {
        failures.push(`${(out.errorInstance as Error)?.message ?? String(out.errorInstance)}\n    counterexample: ${JSON.stringify(out.counterexample).slice(0, 400)}\n    seed ${out.seed}`);
        // A failed case may have cost a connection: fresh sockets for the next event.
        for (const [n, c] of clients) {
          if (!c.anon.connected) c.anon = await connectTo(t.url, n, { viewerKey: viewerKey('fuzz') });
          if (!c.staff.connected) c.staff = await connectTo(t.url, n, { token: admin });
          sockets.push(c.anon, c.staff);
        }
      }
    }
    // eslint-disable-next-line no-console
    console.log(`socket fuzz on ${engine}: ${events.length} events × ${runs} cases: ${JSON.stringify(tally)}; leak scanner saw ${JSON.stringify(t.leakScan)}`);
    expect(failures).toEqual([]);
    expect(tally.refused).toBeGreaterThan(events.length * runs * 0.8);
    for (const { anon, staff } of clients.values()) expect(anon.connected && staff.connected).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(t.logs.join('').match(/unhandled |handler failed|watch failed/gi)).toBeNull();
    // The scanner saw what the anonymous sockets received (acks and broadcasts); close() fails the suite on a leak.
    expect(t.leakScan.socketPackets).toBeGreaterThan(events.length * runs * 0.4);
  }, Math.max(120_000, RUNS(engine) * 10 * 60));

  it('frames beyond maxHttpBufferSize (8 KB): the sender is cut off, nothing written, everyone else carries on', async () => {
    const mark = dbMark(t);
    const bystander = await connectTo(t.url, '/live', { viewerKey: viewerKey('by') });
    sockets.push(bystander);
    const before = await mark();
    for (const { nsp, event } of events) {
      const s = await connectTo(t.url, nsp, { viewerKey: viewerKey('big') });
      const gone = new Promise<string>((res) => s.once('disconnect', (reason) => res(reason)));
      s.emit(event, { sessionId, text: '大'.repeat(20_000), receiptNo: 'x'.repeat(30_000) }, () => undefined);
      expect(await within(gone, 10_000, 'still connected')).toMatch(/transport (close|error)/);
      s.close();
    }
    expect(await mark()).toBe(before);
    expect(bystander.connected).toBe(true);
    expect((await bystander.timeout(5000).emitWithAck('session:join', { sessionId })).ok).toBe(true);
    await t.http().get('/health').expect(200);
  });

  it('invalid UTF-8 in websocket text frames: connection closed (1007), nothing stored; a character split across fragments arrives whole', async () => {
    const mark = dbMark(t);
    const bystander = await connectTo(t.url, '/live', { viewerKey: viewerKey('by') });
    sockets.push(bystander);
    const before = await mark();
    const bad = [Buffer.from([0xc3, 0x28]), Buffer.from([0xff]), Buffer.from([0xe6, 0xb5]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80])];
    for (const b of bad) {
      const raw = await rawSocket(t.url, '/live', viewerKey('raw'));
      raw.ws.send(Buffer.concat([Buffer.from(`42/live,7["question:ask",{"sessionId":${sessionId},"text":"路灯不亮`), b, Buffer.from('，请尽快维修"}]')]), { binary: false });
      expect(await within(raw.closed, 10_000, -1)).toBe(1007);
    }
    expect(await mark()).toBe(before);
    // A valid message whose 测 (e6 b5 8b) is split between two websocket fragments is one valid text: stored as sent.
    const raw = await rawSocket(t.url, '/live', viewerKey('frag'));
    raw.ws.send(Buffer.concat([Buffer.from(`42/live,8["question:ask",{"sessionId":${sessionId},"text":"分片测试：路灯`), Buffer.from([0xe6, 0xb5])]), { binary: false, fin: false });
    raw.ws.send(Buffer.concat([Buffer.from([0x8b]), Buffer.from('不亮，请尽快维修"}]')]), { binary: false, fin: true });
    for (let i = 0; i < 200 && !raw.messages.some((m) => m.startsWith('43/live,8')); i++) await sleep(25);
    const ackMsg = raw.messages.find((m) => m.startsWith('43/live,8'))!;
    expect(JSON.parse(ackMsg.slice('43/live,8'.length))[0]).toMatchObject({ ok: true });
    const stored = await t.get(DataSource).getRepository(QaQuestion).findOneByOrFail({ text: '分片测试：路灯测不亮，请尽快维修' });
    expect(stored.text).not.toContain('\ufffd');
    raw.ws.close();
    expect(bystander.connected).toBe(true);
    await t.http().get('/health').expect(200);
  });

  it('invalid UTF-8 through the polling transport: refused with bad_request, nothing stored', async () => {
    const mark = dbMark(t);
    const http = () => request(t.url);
    const base = '/socket.io/?EIO=4&transport=polling';
    const open = await http().get(base).expect(200);
    const sid = JSON.parse(open.text.slice(1)).sid as string;
    await http().post(`${base}&sid=${sid}`).set('Content-Type', 'text/plain;charset=UTF-8').send(`40/live,${JSON.stringify({ viewerKey: viewerKey('poll') })}`).expect(200);
    expect((await http().get(`${base}&sid=${sid}`).expect(200)).text).toMatch(/^40\/live,/);
    const before = await mark();
    const acks: string[] = [];
    let n = 10;
    for (const b of [Buffer.from([0xc3, 0x28]), Buffer.from([0xff]), Buffer.from([0xe6, 0xb5])]) {
      const body = Buffer.concat([Buffer.from(`42/live,${n}["question:ask",{"sessionId":${sessionId},"text":"路灯不亮`), b, Buffer.from('，请尽快维修"}]')]);
      await http().post(`${base}&sid=${sid}`).set('Content-Type', 'text/plain;charset=UTF-8').send(body);
      const r = await http().get(`${base}&sid=${sid}`).buffer(true).parse((res, cb) => {
        let d = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (d += c));
        res.on('end', () => cb(null, d));
      });
      acks.push(String(r.body));
      n++;
    }
    // Each answered by a refusal: never stored with U+FFFD in place of the bytes.
    expect(acks).toHaveLength(3);
    for (const a of acks) {
      const m = /^43\/live,\d+(\[.*\])$/.exec(a);
      expect(m && JSON.parse(m[1])[0]).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/UTF-8/) } });
    }
    expect(await mark()).toBe(before);
    const garbled = await t.get(DataSource).query(`SELECT COUNT(*) AS n FROM qa_questions WHERE text LIKE ?`, ['%\ufffd%']);
    expect(Number(garbled[0].n)).toBe(0);
    await t.http().get('/health').expect(200);
  });
});
