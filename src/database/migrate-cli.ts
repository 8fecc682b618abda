/** `npm run migration:run`: apply pending migrations to DATABASE_URL and exit. */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

async function main(): Promise<void> {
  const ds = new DataSource(dataSourceOptions(loadConfig().db));
  await ds.initialize();
  const ran = await ds.runMigrations({ transaction: 'each' });
  process.stdout.write(JSON.stringify({ level: 'info', msg: 'migrations applied', count: ran.length, names: ran.map((m) => m.name) }) + '\n');
  await ds.destroy();
}
main().catch((e: Error) => {
  process.stderr.write(JSON.stringify({ level: 'error', msg: 'migration failed', error: e.message }) + '\n');
  process.exit(1);
});
