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
import { createTestDatabase } from './mysql';

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
  configureApp(app);
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
    close: async () => {
      await app.close();
      // The server's log never carries personal data: fail the suite if a phone number got in.
      const leaked = findPhones(logs.join(''));
      if (leaked.length) throw new Error(`server log contains ${leaked.length} phone number(s), e.g. ${leaked[0].slice(0, 3)}…`);
      await cleanup();
      rmSync(mailDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Scan for personal data: 11-digit mainland mobile numbers. */
export function findPhones(text: string): string[] {
  return text.match(/(?<!\d)1[3-9]\d{9}(?!\d)/g) ?? [];
}
