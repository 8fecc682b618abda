import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { allMigrations } from '../../migrations';

/**
 * TypeORM options for the embedded default (SQLite via better-sqlite3) or MySQL/MariaDB via mysql2.
 * `synchronize` is never on: the schema comes from `migrations/` only.
 */
export function dataSourceOptions(db: AppConfig['db'], entities: DataSourceOptions['entities'] = []): DataSourceOptions {
  const common = {
    entities,
    migrations: allMigrations(),
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false as const,
  };
  if (db.type === 'sqlite') {
    if (db.path !== ':memory:') mkdirSync(dirname(db.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: db.path,
      enableWAL: true,
      prepareDatabase: (d: { pragma: (s: string) => unknown }) => {
        d.pragma('busy_timeout = 5000');
        d.pragma('foreign_keys = ON');
        d.pragma('synchronous = NORMAL');
      },
    };
  }
  return {
    ...common,
    type: 'mysql',
    url: db.url,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    dateStrings: false,
    connectTimeout: 5000,
    extra: { connectionLimit: 10, enableKeepAlive: true, waitForConnections: true, queueLimit: 0, maxIdle: 10, idleTimeout: 60000 },
  } as DataSourceOptions;
}
