import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Hotline duty shifts of the leaders and the persistent mail outbox. */
const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };

export class LivestreamMail1764300003000 implements MigrationInterface {
  name = 'LivestreamMail1764300003000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'hotline_duty_shifts',
        columns: [
          id,
          { name: 'leaderId', type: 'integer' },
          { name: 'startsAt', type: 'datetime' },
          { name: 'endsAt', type: 'datetime' },
          { name: 'sequence', type: 'integer', default: 0 },
          { name: 'createdAt', type: 'datetime' },
        ],
        indices: [new TableIndex({ columnNames: ['startsAt', 'endsAt'] }), new TableIndex({ columnNames: ['leaderId', 'startsAt'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'mail_outbox',
        columns: [
          id,
          { name: 'dedupeKey', type: 'varchar', length: '191', isUnique: true },
          { name: 'recipient', type: 'varchar', length: '254' },
          { name: 'subject', type: 'varchar', length: '255' },
          { name: 'html', type: 'text' },
          { name: 'text', type: 'text' },
          { name: 'ics', type: 'text', isNullable: true },
          { name: 'status', type: 'varchar', length: '16', default: "'pending'" },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'nextAttemptAt', type: 'datetime' },
          { name: 'lastError', type: 'varchar', length: '500', isNullable: true },
          { name: 'createdAt', type: 'datetime' },
          { name: 'sentAt', type: 'datetime', isNullable: true },
        ],
        indices: [new TableIndex({ columnNames: ['status', 'nextAttemptAt'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('mail_outbox', true);
    await q.dropTable('hotline_duty_shifts', true);
  }
}
