import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Single-window acceptance: applications (query code stored only as a salted HMAC, rating on the row) and their status history. */
export class Window1764300005000 implements MigrationInterface {
  name = 'Window1764300005000';

  async up(q: QueryRunner): Promise<void> {
    const ms = q.connection.options.type === 'mysql' ? 3 : undefined;
    await q.createTable(
      new Table({
        name: 'window_applications',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'receiptNo', type: 'varchar', length: '64' },
          { name: 'receiptDay', type: 'varchar', length: '8' },
          { name: 'seq', type: 'integer' },
          { name: 'matter', type: 'varchar', length: '400' },
          { name: 'applicantName', type: 'varchar', length: '128' },
          { name: 'applicantPhone', type: 'varchar', length: '32' },
          { name: 'departmentCode', type: 'varchar', length: '32' },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'promisedDays', type: 'integer' },
          { name: 'acceptedAt', type: 'datetime', precision: ms },
          { name: 'dueAt', type: 'datetime', precision: ms },
          { name: 'completedAt', type: 'datetime', precision: ms, isNullable: true },
          { name: 'finishedAt', type: 'datetime', precision: ms, isNullable: true },
          { name: 'overdue', type: 'boolean', default: false },
          { name: 'queryCodeHash', type: 'varchar', length: '64' },
          { name: 'queryCodeSalt', type: 'varchar', length: '32' },
          { name: 'rating', type: 'integer', isNullable: true },
          { name: 'ratingComment', type: 'varchar', length: '1000', isNullable: true },
          { name: 'ratedAt', type: 'datetime', precision: ms, isNullable: true },
          { name: 'createdById', type: 'integer', isNullable: true },
          { name: 'updatedAt', type: 'datetime', precision: ms },
        ],
        indices: [
          new TableIndex({ name: 'UQ_window_app_receipt', columnNames: ['receiptNo'], isUnique: true }),
          new TableIndex({ name: 'UQ_window_app_day_seq', columnNames: ['departmentCode', 'receiptDay', 'seq'], isUnique: true }),
          new TableIndex({ name: 'IDX_window_app_status_due', columnNames: ['status', 'dueAt'] }),
          new TableIndex({ name: 'IDX_window_app_accepted', columnNames: ['acceptedAt'] }),
          new TableIndex({ name: 'IDX_window_app_completed', columnNames: ['completedAt'] }),
          new TableIndex({ name: 'IDX_window_app_rated', columnNames: ['ratedAt'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'window_application_history',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'applicationId', type: 'integer' },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'note', type: 'varchar', length: '1000', isNullable: true },
          { name: 'at', type: 'datetime', precision: ms },
          { name: 'actorId', type: 'integer', isNullable: true },
          { name: 'actorName', type: 'varchar', length: '64', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'IDX_window_hist_app', columnNames: ['applicationId', 'id'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('window_application_history', true);
    await q.dropTable('window_applications', true);
  }
}
