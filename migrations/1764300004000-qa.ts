import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Live Q&A: viewers' questions (with the answer on the row) and one upvote per viewer per question. */
export class Qa1764300004000 implements MigrationInterface {
  name = 'Qa1764300004000';

  async up(q: QueryRunner): Promise<void> {
    const ms = q.connection.options.type === 'mysql' ? 3 : undefined;
    await q.createTable(
      new Table({
        name: 'qa_questions',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'sessionId', type: 'integer' },
          { name: 'text', type: 'varchar', length: '1200' },
          { name: 'nickname', type: 'varchar', length: '80', isNullable: true },
          { name: 'viewerKey', type: 'varchar', length: '80' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'rejectReason', type: 'varchar', length: '200', isNullable: true },
          { name: 'moderatedById', type: 'integer', isNullable: true },
          { name: 'moderatedAt', type: 'datetime', precision: ms, isNullable: true },
          { name: 'upvotes', type: 'integer', default: 0 },
          { name: 'highlighted', type: 'boolean', default: false },
          { name: 'answerText', type: 'text', isNullable: true },
          { name: 'answerLeaderName', type: 'varchar', length: '64', isNullable: true },
          { name: 'answerLeaderId', type: 'integer', isNullable: true },
          { name: 'answeredById', type: 'integer', isNullable: true },
          { name: 'answeredAt', type: 'datetime', precision: ms, isNullable: true },
          { name: 'answerOnAir', type: 'boolean', default: false },
          { name: 'createdAt', type: 'datetime', precision: ms },
        ],
        indices: [new TableIndex({ columnNames: ['sessionId', 'status', 'upvotes'] }), new TableIndex({ columnNames: ['viewerKey'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'qa_upvotes',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'questionId', type: 'integer' },
          { name: 'viewerKey', type: 'varchar', length: '80' },
          { name: 'createdAt', type: 'datetime', precision: ms },
        ],
        indices: [new TableIndex({ name: 'UQ_qa_upvotes_question_viewer', columnNames: ['questionId', 'viewerKey'], isUnique: true })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('qa_upvotes', true);
    await q.dropTable('qa_questions', true);
  }
}
