import { readdirSync } from 'node:fs';

/**
 * Every migration in this folder (files named `<timestamp>-<name>.ts`), loaded in name order.
 * Written with TypeORM's QueryRunner/Table API so each runs on SQLite and MySQL/MariaDB alike.
 */
export function allMigrations(): Function[] {
  const files = readdirSync(__dirname)
    .filter((f) => /^\d{13}-[\w-]+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  const seen = new Set<string>();
  const out: Function[] = [];
  for (const f of files) {
    const base = f.replace(/\.(ts|js)$/, '');
    if (seen.has(base)) continue;
    seen.add(base);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(`./${base}`) as Record<string, unknown>;
    for (const v of Object.values(mod)) if (typeof v === 'function') out.push(v as Function);
  }
  return out;
}
