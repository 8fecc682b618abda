import type { EntityManager } from 'typeorm';
import { delimitedList } from '../common/transformers';

/** Rows per INSERT statement (2 parameters each; well under SQLite's 32,766 and MySQL's limits): a run's window is one statement. */
const INSERT_ROWS = 5000;
/** Ids per DELETE … IN (…) statement. */
const DELETE_IDS = 5000;

/**
 * Sets the topics of tickets (the one writer of `ticket_topics`): deletes their rows, then inserts the non-empty lists
 * with multi-row INSERTs. Plain positional SQL that runs as is on SQLite and MySQL/MariaDB (TypeORM's query builder
 * spends ~0.5 s naming the parameters of 1,000 rows). Call it inside a transaction when the lists must change together.
 * `hadRow`: whether a ticket may have a row already (default: all may); false for all (`false`) skips the DELETE.
 */
export async function writeTicketTopics(m: EntityManager, entries: Array<[ticketId: number, topics: string[]]>, hadRow: boolean | ((ticketId: number) => boolean) = true): Promise<void> {
  if (!entries.length) return;
  const table = m.connection.driver.escape('ticket_topics');
  const col = (c: string) => m.connection.driver.escape(c);
  const stale = hadRow === true ? entries.map((e) => e[0]) : hadRow === false ? [] : entries.map((e) => e[0]).filter(hadRow);
  if (stale.length) {
    for (let i = 0; i < stale.length; i += DELETE_IDS) {
      const ids = stale.slice(i, i + DELETE_IDS);
      await m.query(`DELETE FROM ${table} WHERE ${col('ticketId')} IN (${ids.map(() => '?').join(',')})`, ids);
    }
  }
  const rows = entries.filter((e) => e[1].length);
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    const slice = rows.slice(i, i + INSERT_ROWS);
    const params: unknown[] = [];
    for (const [id, topics] of slice) params.push(id, delimitedList.to(topics));
    await m.query(`INSERT INTO ${table} (${col('ticketId')}, ${col('topics')}) VALUES ${slice.map(() => '(?, ?)').join(', ')}`, params);
  }
}

/** SQL condition "ticket `alias` carries topic :param" (a member of its list), for query builders. */
export function hasTopicSql(alias: string, param: string): string {
  return `EXISTS (SELECT 1 FROM ticket_topics ttf WHERE ttf.ticketId = ${alias}.id AND ttf.topics LIKE :${param})`;
}
