import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Staff, departments, audit, locks, tickets with their history, leaders and livestream sessions. */
const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
const created = { name: 'createdAt', type: 'datetime', precision: 3, default: 'CURRENT_TIMESTAMP(3)' };
const updated = { name: 'updatedAt', type: 'datetime', precision: 3, default: 'CURRENT_TIMESTAMP(3)' };

function ts(q: QueryRunner, col: { name: string; type: string; precision: number; default: string }) {
  // SQLite has no CURRENT_TIMESTAMP(3); both engines accept CURRENT_TIMESTAMP.
  return q.connection.options.type === 'mysql' ? col : { name: col.name, type: 'datetime', default: 'CURRENT_TIMESTAMP' };
}

export class Core1764300000000 implements MigrationInterface {
  name = 'Core1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'departments',
        columns: [
          { name: 'code', type: 'varchar', length: '32', isPrimary: true },
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'shortName', type: 'varchar', length: '64', isNullable: true },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'aliases', type: 'text', isNullable: true },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          id,
          { name: 'username', type: 'varchar', length: '64', isUnique: true },
          { name: 'passwordHash', type: 'varchar', length: '100' },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'displayName', type: 'varchar', length: '64' },
          { name: 'email', type: 'varchar', length: '254', isNullable: true },
          { name: 'departmentCode', type: 'varchar', length: '32', isNullable: true },
          ts(q, created),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          id,
          { name: 'at', type: 'datetime', precision: q.connection.options.type === 'mysql' ? 3 : undefined },
          { name: 'actorId', type: 'integer', isNullable: true },
          { name: 'actorName', type: 'varchar', length: '64', isNullable: true },
          { name: 'action', type: 'varchar', length: '64' },
          { name: 'target', type: 'varchar', length: '128', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'detail', type: 'text', isNullable: true },
        ],
        indices: [new TableIndex({ columnNames: ['at'] }), new TableIndex({ columnNames: ['action', 'at'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'locks',
        columns: [
          { name: 'name', type: 'varchar', length: '128', isPrimary: true },
          { name: 'holder', type: 'varchar', length: '128' },
          { name: 'expiresAt', type: 'datetime', precision: q.connection.options.type === 'mysql' ? 3 : undefined },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'tickets',
        columns: [
          id,
          { name: 'ticketNo', type: 'varchar', length: '40', isUnique: true },
          { name: 'receivedAt', type: 'datetime' },
          { name: 'quarter', type: 'varchar', length: '6' },
          { name: 'channel', type: 'varchar', length: '8' },
          { name: 'callerName', type: 'varchar', length: '64', isNullable: true },
          { name: 'callerPhone', type: 'varchar', length: '20' },
          { name: 'street', type: 'varchar', length: '32', isNullable: true },
          { name: 'community', type: 'varchar', length: '64', isNullable: true },
          { name: 'address', type: 'varchar', length: '255', isNullable: true },
          { name: 'content', type: 'text' },
          { name: 'category', type: 'varchar', length: '64', isNullable: true },
          { name: 'departmentCode', type: 'varchar', length: '32', isNullable: true },
          { name: 'suggestedDepartmentCode', type: 'varchar', length: '32', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'reply', type: 'text', isNullable: true },
          { name: 'repliedAt', type: 'datetime', isNullable: true },
          { name: 'firstDispatchedAt', type: 'datetime', isNullable: true },
          { name: 'closedAt', type: 'datetime', isNullable: true },
          { name: 'satisfaction', type: 'varchar', length: '24', isNullable: true },
          { name: 'leaderOnDuty', type: 'boolean', default: false },
          { name: 'dutyLeaderId', type: 'integer', isNullable: true },
          { name: 'topics', type: 'varchar', length: '255', default: "''" },
          { name: 'repeatOf', type: 'integer', isNullable: true },
          { name: 'repeatCount', type: 'integer', default: 0 },
          { name: 'reopenCount', type: 'integer', default: 0 },
          { name: 'dueAt', type: 'datetime', isNullable: true },
          ts(q, created),
          ts(q, updated),
        ],
        indices: [
          new TableIndex({ columnNames: ['quarter', 'status'] }),
          new TableIndex({ columnNames: ['receivedAt'] }),
          new TableIndex({ columnNames: ['departmentCode'] }),
          new TableIndex({ columnNames: ['street'] }),
          new TableIndex({ columnNames: ['callerPhone', 'receivedAt'] }),
          new TableIndex({ columnNames: ['status', 'dueAt'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ticket_history',
        columns: [
          id,
          { name: 'ticketId', type: 'integer' },
          { name: 'fromStatus', type: 'varchar', length: '16', isNullable: true },
          { name: 'toStatus', type: 'varchar', length: '16' },
          { name: 'note', type: 'text', isNullable: true },
          { name: 'departmentCode', type: 'varchar', length: '32', isNullable: true },
          { name: 'actorId', type: 'integer', isNullable: true },
          { name: 'at', type: 'datetime' },
        ],
        indices: [new TableIndex({ columnNames: ['ticketId', 'at'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'leaders',
        columns: [
          id,
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'title', type: 'varchar', length: '64' },
          { name: 'departmentCode', type: 'varchar', length: '32' },
          { name: 'email', type: 'varchar', length: '254' },
          { name: 'userId', type: 'integer', isNullable: true },
          ts(q, created),
        ],
        indices: [new TableIndex({ columnNames: ['departmentCode'] }), new TableIndex({ columnNames: ['userId'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'livestream_sessions',
        columns: [
          id,
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'departmentCode', type: 'varchar', length: '32' },
          { name: 'leaderIds', type: 'varchar', length: '255', default: "'[]'" },
          { name: 'topicKeys', type: 'varchar', length: '512', default: "'[]'" },
          { name: 'startsAt', type: 'datetime' },
          { name: 'endsAt', type: 'datetime' },
          { name: 'planned', type: 'boolean', default: false },
          { name: 'status', type: 'varchar', length: '16', default: "'scheduled'" },
          { name: 'streamUrl', type: 'varchar', length: '512', isNullable: true },
          { name: 'sequence', type: 'integer', default: 0 },
          ts(q, created),
          ts(q, updated),
        ],
        indices: [new TableIndex({ columnNames: ['startsAt'] }), new TableIndex({ columnNames: ['status', 'startsAt'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['livestream_sessions', 'leaders', 'ticket_history', 'tickets', 'locks', 'audit_log', 'users', 'departments']) {
      await q.dropTable(t, true);
    }
  }
}
