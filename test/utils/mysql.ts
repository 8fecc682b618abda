import { createConnection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';

/** Server URL (no database) the tests create their throwaway databases on. */
export function mysqlAdminUrl(): string {
  return (process.env.TEST_MYSQL_URL ?? 'mysql://hub:hub@127.0.0.1:3306/').replace(/\/[^/]*$/, '/');
}

/** A fresh utf8mb4 database for one suite; returns its URL and a drop function. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `hub_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = mysqlAdminUrl();
  const c = await createConnection({ uri: admin });
  await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await c.end();
  return {
    url: `${admin}${name}`,
    name,
    drop: async () => {
      const d = await createConnection({ uri: admin });
      await d.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await d.end();
    },
  };
}
