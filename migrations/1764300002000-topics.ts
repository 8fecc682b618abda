import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Quarterly hot-topic reports (one row per quarter, replaced atomically) and an index for the run's keyset scan. */
export class Topics1764300002000 implements MigrationInterface {
  name = 'Topics1764300002000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'topic_reports',
        columns: [
          { name: 'quarter', type: 'varchar', length: '6', isPrimary: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'progress', type: 'integer', default: 0 },
          { name: 'ticketCount', type: 'integer', default: 0 },
          { name: 'generatedAt', type: 'datetime', isNullable: true },
          { name: 'startedAt', type: 'datetime', isNullable: true },
          { name: 'topics', type: 'text', isNullable: true },
          { name: 'error', type: 'text', isNullable: true },
        ],
      }),
    );
    await q.createIndex('tickets', new TableIndex({ name: 'IDX_tickets_topics_quarter_id', columnNames: ['quarter', 'id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('tickets', 'IDX_tickets_topics_quarter_id');
    await q.dropTable('topic_reports');
  }
}
