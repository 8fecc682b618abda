import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

const PAGE = 1000;

/**
 * Ticket topics move from the `tickets.topics` column to their own narrow table `ticket_topics(ticketId, topics)`:
 * the quarterly run rewrites every ticket's topics, and rewriting a whole ticket row (with its text) costs InnoDB a
 * page reorganisation per few rows (docs/BENCHMARKS.md, "Topic tagging"). Same ",a,b," format; no row = no topics.
 */
export class TicketTopics1764300006000 implements MigrationInterface {
  name = 'TicketTopics1764300006000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'ticket_topics',
        columns: [
          { name: 'ticketId', type: 'integer', isPrimary: true },
          { name: 'topics', type: 'varchar', length: '255' },
        ],
      }),
    );
    // Copy the tagged tickets by keyset pages (bounded memory), then drop the old column.
    for (let last = 0; ; ) {
      const rows = (await q.manager
        .createQueryBuilder()
        .select('t.id', 'id')
        .addSelect('t.topics', 'topics')
        .from('tickets', 't')
        .where('t.id > :last', { last })
        .andWhere("t.topics <> ''")
        .orderBy('t.id', 'ASC')
        .limit(PAGE)
        .getRawMany()) as Array<{ id: number | string; topics: string }>;
      if (!rows.length) break;
      await q.manager
        .createQueryBuilder()
        .insert()
        .into('ticket_topics', ['ticketId', 'topics'])
        .values(rows.map((r) => ({ ticketId: Number(r.id), topics: r.topics })))
        .execute();
      last = Number(rows[rows.length - 1].id);
    }
    await q.dropColumn('tickets', 'topics');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.addColumn('tickets', new TableColumn({ name: 'topics', type: 'varchar', length: '255', default: "''" }));
    for (let last = 0; ; ) {
      const rows = (await q.manager
        .createQueryBuilder()
        .select('x.ticketId', 'ticketId')
        .addSelect('x.topics', 'topics')
        .from('ticket_topics', 'x')
        .where('x.ticketId > :last', { last })
        .orderBy('x.ticketId', 'ASC')
        .limit(PAGE)
        .getRawMany()) as Array<{ ticketId: number | string; topics: string }>;
      if (!rows.length) break;
      for (const r of rows) await q.manager.createQueryBuilder().update('tickets').set({ topics: r.topics }).where('id = :id', { id: Number(r.ticketId) }).execute();
      last = Number(rows[rows.length - 1].ticketId);
    }
    await q.dropTable('ticket_topics');
  }
}
