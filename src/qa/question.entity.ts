import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const QUESTION_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type QuestionStatus = (typeof QUESTION_STATUSES)[number];

/** A viewer's question; the answer lives on the same row (one answer per question, the latest wins). */
@Entity('qa_questions')
export class QaQuestion {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'integer' }) sessionId: number;
  @Column({ type: 'varchar', length: 1200 }) text: string;
  @Column({ type: 'varchar', length: 80, nullable: true }) nickname: string | null;
  /** The asker's anonymous key: never leaves the server. */
  @Column({ type: 'varchar', length: 80 }) viewerKey: string;
  @Column({ type: 'varchar', length: 16 }) status: QuestionStatus;
  @Column({ type: 'varchar', length: 200, nullable: true }) rejectReason: string | null;
  @Column({ type: 'integer', nullable: true }) moderatedById: number | null;
  @Column({ type: 'datetime', nullable: true }) moderatedAt: Date | null;
  @Column({ type: 'integer', default: 0 }) upvotes: number;
  @Column({ type: 'boolean', default: false }) highlighted: boolean;
  @Column({ type: 'text', nullable: true }) answerText: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) answerLeaderName: string | null;
  @Column({ type: 'integer', nullable: true }) answerLeaderId: number | null;
  @Column({ type: 'integer', nullable: true }) answeredById: number | null;
  @Column({ type: 'datetime', nullable: true }) answeredAt: Date | null;
  @Column({ type: 'boolean', default: false }) answerOnAir: boolean;
  @Column({ type: 'datetime' }) createdAt: Date;
}

/** One upvote per viewerKey per question (unique index). */
@Entity('qa_upvotes')
export class QaUpvote {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'integer' }) questionId: number;
  @Column({ type: 'varchar', length: 80 }) viewerKey: string;
  @Column({ type: 'datetime' }) createdAt: Date;
}

export interface PublicAnswer {
  text: string;
  leaderName: string;
  answeredAt: string;
  onAir: boolean;
}

/** What viewers see of a question: no viewerKey, no moderator ids. */
export interface PublicQuestion {
  id: number;
  sessionId: number;
  text: string;
  nickname: string | null;
  upvotes: number;
  status: QuestionStatus;
  createdAt: string;
  highlighted: boolean;
  answer?: PublicAnswer;
}

export function toPublicAnswer(q: QaQuestion): PublicAnswer | undefined {
  if (q.answerText === null || q.answerText === undefined || !q.answeredAt) return undefined;
  return { text: q.answerText, leaderName: q.answerLeaderName ?? '', answeredAt: new Date(q.answeredAt).toISOString(), onAir: !!q.answerOnAir };
}

export function toPublicQuestion(q: QaQuestion): PublicQuestion {
  const out: PublicQuestion = {
    id: q.id,
    sessionId: q.sessionId,
    text: q.text,
    nickname: q.nickname,
    upvotes: q.upvotes,
    status: q.status,
    createdAt: new Date(q.createdAt).toISOString(),
    highlighted: !!q.highlighted,
  };
  const a = toPublicAnswer(q);
  if (a) out.answer = a;
  return out;
}
