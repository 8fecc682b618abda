import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { TestApp } from './app';

/**
 * A mark of the database's content for "nothing written" checks: it changes when any row of any table but the
 * audit log (refusals are audited on purpose) is inserted, updated or deleted. MariaDB: CHECKSUM TABLE.
 * SQLite: total_changes() on its single connection says cheaply that nothing at all was written; only when it
 * moved is a digest of every row taken (a lock row taken and released leaves the digest as it was).
 * Only meaningful when nothing else writes meanwhile (sequential runs, no jobs).
 */
export function dbMark(t: TestApp): () => Promise<string> {
  const ds = t.get(DataSource);
  const tables = ds.entityMetadatas.map((m) => m.tableName).filter((n) => n !== 'audit_log');
  const digest = async (): Promise<string> => {
    if (t.engine === 'mariadb') {
      const rows: Array<{ Table: string; Checksum: string | null }> = await ds.query(`CHECKSUM TABLE ${tables.map((x) => `\`${x}\``).join(', ')}`);
      return rows.map((r) => `${r.Table}:${r.Checksum}`).join(',');
    }
    const h = createHash('sha1');
    for (const x of tables) h.update(x).update(JSON.stringify(await ds.query(`SELECT * FROM "${x}"`)));
    return h.digest('hex');
  };
  let state = { changes: -1, digest: '' };
  return async () => {
    if (t.engine === 'sqlite') {
      const [r] = await ds.query('SELECT total_changes() AS c');
      const changes = Number(r.c);
      if (changes !== state.changes) state = { changes, digest: await digest() };
      return state.digest;
    }
    return digest();
  };
}
