import { createConnection } from 'mysql2/promise';
import { mysqlAdminUrl } from './mysql';

/**
 * Decides which engines the e2e suites run on: SQLite always; MariaDB when TEST_MYSQL_URL answers.
 * In CI (CI=true) MariaDB is required: .ci/run starts it, and a missing server fails the run.
 */
export default async function globalSetup(): Promise<void> {
  const url = mysqlAdminUrl();
  let ok = false;
  try {
    const c = await createConnection({ uri: url, connectTimeout: 3000 });
    await c.query('SELECT 1');
    await c.end();
    ok = true;
  } catch (e) {
    if (process.env.CI === 'true' || process.env.TEST_REQUIRE_MARIADB === '1') {
      throw new Error(`MariaDB is required for the tests but ${url.replace(/:[^:@/]*@/, ':***@')} does not answer: ${(e as Error).message}`);
    }
  }
  process.env.HUB_TEST_ENGINES = ok ? 'sqlite,mariadb' : 'sqlite';
  if (!ok) {
    process.stdout.write(`\n[zhengmin-hub] MariaDB not reachable at TEST_MYSQL_URL (${url.replace(/:[^:@/]*@/, ':***@')}): suites run on SQLite only. Run .ci/run to test MariaDB too.\n`);
  }
}
