import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { AuthService } from '../../src/auth/auth.service';
import { JsonLogger } from '../../src/common/json-logger';
import { APP_CONFIG, AppConfig, loadConfig } from '../../src/config/app-config';
import type { Role } from '../../src/users/user.entity';
import { UsersService } from '../../src/users/users.service';
import { HubIoAdapter } from '../../src/common/socket-io.adapter';
import type { SocketIdentity } from '../../src/auth/socket-auth';
import type { NextFunction, Request, Response } from 'express';
import type { Server, Socket } from 'socket.io';
import { DataSource, EntitySubscriberInterface, InsertEvent, UpdateEvent } from 'typeorm';
import { findLeaks, findPhones, LeakRecorder } from './leaks';
import { createTestDatabase } from './mysql';

export { findPhones } from './leaks';

export type Engine = 'sqlite' | 'mariadb';

/** The engines this run covers (decided in global-setup): use with describe.each(engines()). */
export function engines(): Engine[] {
  return (process.env.HUB_TEST_ENGINES ?? 'sqlite').split(',') as Engine[];
}

export interface TestApp {
  app: NestExpressApplication;
  engine: Engine;
  url: string;
  cfg: AppConfig;
  /** Every log line the server wrote (for the personal-data scan). */
  logs: string[];
  http: () => ReturnType<typeof request>;
  /** Bearer token of a user of that role (created on first use; `name` picks another user of the role). */
  token: (role: Role, name?: string, extra?: { departmentCode?: string; email?: string }) => Promise<string>;
  userId: (role: Role, name?: string) => Promise<number>;
  get: <T>(cls: abstract new (...a: never[]) => T) => T;
  /** Public traffic seen by the leak scanner (every anonymous REST answer, every packet to an anonymous socket). */
  leakScan: LeakRecorder['stats'];
  /** The socket.io server of the app (its namespaces are the gateways'). */
  io: () => Server | undefined;
  /** Scans the public traffic and the log so far; close() fails the suite when this is not empty. */
  leaks: () => Promise<string[]>;
  close: () => Promise<void>;
}

export interface BootOptions {
  env?: Record<string, string>;
  /** Swap providers, e.g. b => b.overrideProvider(X).useValue(y). */
  override?: (b: TestingModuleBuilder) => TestingModuleBuilder;
  /** Reuse a database made by an earlier boot (a second instance, a restart). */
  databaseUrl?: string;
}

export const ADMIN = { username: 'admin', password: 'admin-pass-123' };

/** Boots the real AppModule on a fresh SQLite file or MariaDB database, listening on a random port. */
export async function bootApp(engine: Engine, opts: BootOptions = {}): Promise<TestApp> {
  let databaseUrl = opts.databaseUrl;
  let cleanup: () => Promise<void> = async () => undefined;
  if (!databaseUrl) {
    if (engine === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'hub-test-'));
      databaseUrl = `sqlite:${join(dir, 'hub.sqlite')}`;
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    } else {
      const db = await createTestDatabase();
      databaseUrl = db.url;
      cleanup = db.drop;
    }
  }
  const mailDir = mkdtempSync(join(tmpdir(), 'hub-mail-'));
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    DEMO_DATA: 'false',
    JOBS_ENABLED: 'false',
    MAIL_DIR: mailDir,
    DATABASE_URL: databaseUrl,
    REDIS_URL: '',
    SMTP_URL: '',
    ...opts.env,
  };
  const cfg = loadConfig(env);
  let builder = Test.createTestingModule({ imports: [AppModule] }).overrideProvider(APP_CONFIG).useValue(cfg);
  if (opts.override) builder = opts.override(builder);
  const moduleRef = await builder.compile();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const s = chunk.toString();
      logs.push(s);
      if (process.env.HUB_TEST_LOG === '1') process.stdout.write(s);
      cb();
    },
  });
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: new JsonLogger(['log', 'warn', 'error', 'fatal'], sink) });
  const recorder = new LeakRecorder();
  app.use(recordPublicAnswers(recorder));
  configureApp(app);
  const ioAdapter = new LeakScanningIoAdapter(app, cfg, recorder);
  app.useWebSocketAdapter(ioAdapter);
  app.get(DataSource).subscribers.push(nameCollector(recorder));
  await app.listen(0, '127.0.0.1');
  const addr = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${addr.port}`;
  const tokens = new Map<string, string>();
  const ids = new Map<string, number>();

  const ensure = async (role: Role, name?: string, extra?: { departmentCode?: string; email?: string }) => {
    const username = role === 'admin' && !name ? ADMIN.username : `${name ?? role}`;
    const password = role === 'admin' && !name ? ADMIN.password : 'password-123';
    if (!(role === 'admin' && !name)) {
      const u = await app.get(UsersService).ensure({ username, password, role, displayName: `测试${role}`, departmentCode: extra?.departmentCode, email: extra?.email });
      ids.set(username, u.id);
    }
    return { username, password };
  };

  const t: TestApp = {
    app,
    engine,
    url,
    cfg,
    logs,
    http: () => request(app.getHttpServer()),
    token: async (role, name, extra) => {
      const key = `${role}:${name ?? ''}`;
      const have = tokens.get(key);
      if (have) return have;
      const { username, password } = await ensure(role, name, extra);
      const r = await app.get(AuthService).login(username, password, '127.0.0.1');
      ids.set(username, r.user.id);
      tokens.set(key, r.accessToken);
      return r.accessToken;
    },
    userId: async (role, name) => {
      await t.token(role, name);
      return ids.get(role === 'admin' && !name ? ADMIN.username : (name ?? role))!;
    },
    get: (cls) => app.get(cls as never, { strict: false }),
    leakScan: recorder.stats,
    io: () => ioAdapter.server,
    leaks: async () => {
      await collectStoredNames(app.get(DataSource), recorder);
      const found = [...recorder.leaks(), ...findLeaks('server log', logs.join(''), recorder.names)];
      return found.map((l) => `${l.kind} ${l.sample} in ${l.where}`);
    },
    close: async () => {
      const found = await t.leaks();
      await app.close();
      await cleanup();
      rmSync(mailDir, { recursive: true, force: true });
      // The server's log never carries personal data: fail the suite if a phone number got in.
      const leaked = findPhones(logs.join(''));
      if (leaked.length) throw new Error(`server log contains ${leaked.length} phone number(s), e.g. ${leaked[0].slice(0, 3)}…`);
      // Nor does anything the public can see: anonymous REST answers and anonymous sockets' packets.
      if (found.length) throw new Error(`personal data reached the public or the log (${found.length}): ${[...new Set(found)].slice(0, 10).join('; ')}`);
    },
  };
  return t;
}

/** Content types of answers the scanner reads (not scripts, styles, images). */
const TEXTUAL = /json|text\/(plain|csv|html|calendar)|ndjson|xml/i;

/**
 * Express middleware: keeps the body of every answer to a request without an Authorization header
 * (what the public can read) for the leak scan. Static scripts and styles are skipped, and so are the
 * OpenAPI document (/api/docs…: generated from the code, its field examples are made up) and /metrics
 * (Prometheus counters only: no text, but byte counts that look like 11-digit numbers).
 */
function recordPublicAnswers(recorder: LeakRecorder) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.headers.authorization || req.path.startsWith('/api/docs') || req.path === '/metrics') return next();
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => Response;
    const keep = (c: unknown, enc?: unknown) => {
      if (c === undefined || c === null || typeof c === 'function') return;
      chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string, typeof enc === 'string' ? (enc as BufferEncoding) : 'utf8'));
    };
    (res as unknown as { write: unknown }).write = (c: unknown, ...rest: unknown[]) => {
      keep(c, rest[0]);
      return write(c, ...rest);
    };
    (res as unknown as { end: unknown }).end = (c?: unknown, ...rest: unknown[]) => {
      keep(c, rest[0]);
      return end(c, ...rest);
    };
    res.on('finish', () => {
      const type = String(res.getHeader('content-type') ?? '');
      if (!TEXTUAL.test(type) || !chunks.length) return;
      recorder.record('rest', `anonymous ${req.method} ${req.originalUrl.split('?')[0].slice(0, 80)} → ${res.statusCode}`, Buffer.concat(chunks).toString('utf8'));
    });
    next();
  };
}

/** Every caller/applicant name stored through TypeORM (saves, inserts, updates) goes into the scan's name list. */
function nameCollector(recorder: LeakRecorder): EntitySubscriberInterface {
  const take = (e: unknown) => {
    if (!e || typeof e !== 'object') return;
    recorder.names.add((e as Record<string, unknown>).callerName);
    recorder.names.add((e as Record<string, unknown>).applicantName);
  };
  return {
    afterInsert: (ev: InsertEvent<unknown>) => take(ev.entity),
    afterUpdate: (ev: UpdateEvent<unknown>) => take(ev.entity),
  };
}

/** Names stored by any other path (streamed imports write with plain SQL). */
async function collectStoredNames(ds: DataSource, recorder: LeakRecorder): Promise<void> {
  if (!ds.isInitialized) return;
  for (const [table, column] of [
    ['tickets', 'callerName'],
    ['window_applications', 'applicantName'],
  ]) {
    try {
      const rows: Array<{ n: string }> = await ds.query(`SELECT DISTINCT ${ds.driver.escape(column)} AS n FROM ${ds.driver.escape(table)} WHERE ${ds.driver.escape(column)} IS NOT NULL`);
      for (const r of rows) recorder.names.add(r.n);
    } catch {
      /* database away (resilience suites): the names seen on the way are used */
    }
  }
}

/**
 * The app's own socket.io adapter, plus a tap: every packet the server writes to a socket that connected
 * without a token (a viewer on /live, a watcher on /window) — events, broadcasts and acks — is kept for the scan.
 */
class LeakScanningIoAdapter extends HubIoAdapter {
  server?: Server;

  constructor(app: NestExpressApplication, cfg: AppConfig, private readonly recorder: LeakRecorder) {
    super(app, cfg);
  }

  createIOServer(port: number, options?: Parameters<HubIoAdapter['createIOServer']>[1]): Server {
    const server = super.createIOServer(port, options);
    this.server = server;
    (server.sockets as unknown as { on: (e: string, f: (nsp: { name: string; on: (e: string, f: (s: Socket) => void) => void }) => void) => void }).on('new_namespace', (nsp) => {
      nsp.on('connection', (socket: Socket) => {
        if ((socket.data as SocketIdentity).user) return;
        socket.conn.on('packetCreate', (p: { type: string; data?: unknown }) => {
          if (p.type !== 'message' || p.data === undefined) return;
          const text = typeof p.data === 'string' ? p.data : Buffer.isBuffer(p.data) ? p.data.toString('utf8') : '';
          // socket.io packet: <type>[<n>-][<nsp>,]…; only this namespace's packets (one connection may carry several)
          const m = /^\d(?:\d+-)?(\/[^,]*),/.exec(text);
          if ((m ? m[1] : '/') !== nsp.name && !Buffer.isBuffer(p.data)) return;
          this.recorder.record('socket', `anonymous socket ${nsp.name}`, text);
        });
      });
    });
    return server;
  }
}
