import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** Open311 GeoReport v2 api keys (admin-issued; only a SHA-256 of each key is stored). */
export class Open311Keys1764300001000 implements MigrationInterface {
  name = 'Open311Keys1764300001000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'open311_keys',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'keyHash', type: 'varchar', length: '64', isUnique: true },
          { name: 'label', type: 'varchar', length: '100' },
          { name: 'createdBy', type: 'integer', isNullable: true },
          { name: 'revoked', type: 'boolean', default: false },
          { name: 'createdAt', type: 'datetime' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('open311_keys');
  }
}
