import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const OUTBOX_STATUSES = ['pending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** One mail to send; written in the same transaction as the change that causes it. */
@Entity('mail_outbox')
export class MailOutbox {
  @PrimaryGeneratedColumn() id: number;
  /** Unique per (cause, recipient): inserting the same key twice is a no-op, so each mail exists once. */
  @Column({ type: 'varchar', length: 191, unique: true }) dedupeKey: string;
  @Column({ name: 'recipient', type: 'varchar', length: 254 }) to: string;
  @Column({ type: 'varchar', length: 255 }) subject: string;
  @Column({ type: 'text' }) html: string;
  @Column({ type: 'text' }) text: string;
  @Column({ type: 'text', nullable: true }) ics: string | null;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status: OutboxStatus;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @Column({ type: 'datetime' }) nextAttemptAt: Date;
  @Column({ type: 'varchar', length: 500, nullable: true }) lastError: string | null;
  @Column({ type: 'datetime' }) createdAt: Date;
  @Column({ type: 'datetime', nullable: true }) sentAt: Date | null;
}
