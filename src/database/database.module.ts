import { Global, Inject, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

const log = new Logger('Database');

/** Runs pending migrations at start, once across instances (GET_LOCK on MySQL; SQLite is one file, one writer). */
export async function migrateWithLock(ds: DataSource): Promise<void> {
  if (ds.options.type === 'mysql') {
    const qr = ds.createQueryRunner();
    await qr.connect();
    try {
      const [row] = (await qr.query(`SELECT GET_LOCK('hub_migrations', 120) AS l`)) as Array<{ l: number }>;
      if (Number(row?.l) !== 1) throw new Error('could not take the migration lock within 120 s');
      const ran = await ds.runMigrations({ transaction: 'each' });
      if (ran.length) log.log(`applied ${ran.length} migration(s)`);
    } finally {
      await qr.query(`SELECT RELEASE_LOCK('hub_migrations')`).catch(() => undefined);
      await qr.release();
    }
  } else {
    const ran = await ds.runMigrations({ transaction: 'each' });
    if (ran.length) log.log(`applied ${ran.length} migration(s)`);
  }
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (cfg: AppConfig) => ({
        ...dataSourceOptions(cfg.db),
        autoLoadEntities: true,
        retryAttempts: cfg.nodeEnv === 'test' ? 1 : 10,
        retryDelay: 2000,
      }),
      dataSourceFactory: async (options) => {
        const ds = await new DataSource(options!).initialize();
        await migrateWithLock(ds);
        return ds;
      },
    }),
  ],
})
export class DatabaseModule {
  constructor(@Inject(APP_CONFIG) cfg: AppConfig) {
    log.log(`database: ${cfg.db.type === 'sqlite' ? `SQLite file ${cfg.db.path}` : 'MySQL/MariaDB'}`);
  }
}
