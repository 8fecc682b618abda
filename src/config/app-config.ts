import { randomBytes } from 'node:crypto';

/**
 * Typed configuration, read once from the environment and validated at start.
 * In production (NODE_ENV=production) a missing secret or a bad value stops the start
 * with one line naming the variable. `.env.example` documents every variable.
 */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  databaseUrl: string;
  db: { type: 'sqlite'; path: string } | { type: 'mysql'; url: string };
  redisUrl?: string;
  smtpUrl?: string;
  mailFrom: string;
  mailDir: string;
  jwtSecret: string;
  jwtExpiresIn: string;
  adminUsername: string;
  adminPassword: string;
  adminDefaulted: boolean;
  corsOrigins: string[];
  demoData: boolean;
  bodyLimit: string;
  importMaxRows: number;
  topicsCron: string;
  remindersCron: string;
  livestreamRooms: number;
  timezone: string;
  shutdownTimeoutMs: number;
  shutdownDrainMs: number;
  loginMaxFailures: number;
  loginWindowMs: number;
  publicBaseUrl: string;
  /** Personal data (names, phones) of tickets and applications older than this is erased by a daily job. */
  retentionYears: number;
  retentionCron: string;
  /** Off only in tests that drive the jobs by hand. */
  jobsEnabled: boolean;
}

export class ConfigError extends Error {}

export const APP_CONFIG = Symbol('APP_CONFIG');

function int(env: NodeJS.ProcessEnv, name: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

export function parseDatabaseUrl(url: string): AppConfig['db'] {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path) throw new ConfigError('DATABASE_URL sqlite: needs a file path, e.g. sqlite:data/hub.sqlite');
    return { type: 'sqlite', path };
  }
  if (/^(mysql|mariadb):\/\//.test(url)) {
    try {
      const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
      if (!u.pathname || u.pathname === '/') throw new Error('no database');
    } catch {
      throw new ConfigError('DATABASE_URL must look like mysql://user:pass@host:3306/db');
    }
    return { type: 'mysql', url: url.replace(/^mariadb:/, 'mysql:') };
  }
  throw new ConfigError(`DATABASE_URL must start with mysql:// or sqlite: (got "${url.split(':')[0]}:…")`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const nodeEnvRaw = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnvRaw)) {
    throw new ConfigError(`NODE_ENV must be development, production or test (got "${nodeEnvRaw}")`);
  }
  const nodeEnv = nodeEnvRaw as AppConfig['nodeEnv'];
  const prod = nodeEnv === 'production';
  const required = (name: string): string | undefined => {
    const v = env[name];
    if (prod && (v === undefined || v === '')) throw new ConfigError(`${name} is required when NODE_ENV=production`);
    return v || undefined;
  };

  const databaseUrl = env.DATABASE_URL || 'sqlite:data/hub.sqlite';
  const db = parseDatabaseUrl(databaseUrl);

  const jwtSecret = required('JWT_SECRET') ?? randomBytes(32).toString('hex');
  if (prod && jwtSecret.length < 32) throw new ConfigError('JWT_SECRET must be at least 32 characters in production');
  const adminUsernameEnv = required('ADMIN_USERNAME');
  const adminPasswordEnv = required('ADMIN_PASSWORD');
  if (prod && (adminPasswordEnv ?? '').length < 10) {
    throw new ConfigError('ADMIN_PASSWORD must be at least 10 characters in production');
  }

  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError('REDIS_URL must start with redis:// or rediss://');
  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) throw new ConfigError('SMTP_URL must start with smtp:// or smtps://');

  const port = int(env, 'PORT', 3000, 0, 65535);
  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const o of corsOrigins) {
    if (!/^https?:\/\/[^/]+$/.test(o)) throw new ConfigError(`CORS_ORIGINS entries must be origins like https://host:port (got "${o}")`);
  }

  return {
    nodeEnv,
    port,
    databaseUrl,
    db,
    redisUrl,
    smtpUrl,
    mailFrom: env.MAIL_FROM || '政民互动中心 <hub@xicheng.example>',
    mailDir: env.MAIL_DIR || 'data/mail',
    jwtSecret,
    jwtExpiresIn: env.JWT_EXPIRES_IN || '12h',
    adminUsername: adminUsernameEnv ?? 'admin',
    adminPassword: adminPasswordEnv ?? 'admin12341',
    adminDefaulted: !adminPasswordEnv,
    corsOrigins,
    demoData: bool(env, 'DEMO_DATA', db.type === 'sqlite' && nodeEnv !== 'test'),
    bodyLimit: env.BODY_LIMIT || '1mb',
    importMaxRows: int(env, 'IMPORT_MAX_ROWS', 1_000_000, 1),
    topicsCron: env.TOPICS_CRON || '5 0 1 1,4,7,10 *',
    remindersCron: env.REMINDERS_CRON || '* * * * *',
    livestreamRooms: int(env, 'LIVESTREAM_ROOMS', 1, 1, 100),
    timezone: 'Asia/Shanghai',
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0),
    shutdownDrainMs: int(env, 'SHUTDOWN_DRAIN_MS', 1000, 0, 60_000),
    loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 5, 1),
    loginWindowMs: int(env, 'LOGIN_WINDOW_MS', 15 * 60_000, 1000),
    publicBaseUrl: env.PUBLIC_BASE_URL || `http://localhost:${port || 3000}`,
    retentionYears: int(env, 'RETENTION_YEARS', 3, 1, 100),
    retentionCron: env.RETENTION_CRON || '30 3 * * *',
    jobsEnabled: bool(env, 'JOBS_ENABLED', true),
  };
}
