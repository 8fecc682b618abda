import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VirtualColumn } from 'typeorm';
import { delimitedList } from '../common/transformers';

export const CHANNELS = ['phone', 'web', 'wechat', 'app', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];
export const TICKET_STATUSES = ['received', 'dispatched', 'in_progress', 'replied', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const;
export type Satisfaction = (typeof SATISFACTIONS)[number];

@Entity('tickets')
export class Ticket {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 40, unique: true }) ticketNo: string;
  @Column({ type: 'datetime' }) receivedAt: Date;
  /** e.g. 2026Q3, from receivedAt in Asia/Shanghai; kept for fast quarter filters. */
  @Column({ type: 'varchar', length: 6 }) quarter: string;
  @Column({ type: 'varchar', length: 8 }) channel: Channel;
  @Column({ type: 'varchar', length: 64, nullable: true }) callerName: string | null;
  @Column({ type: 'varchar', length: 20 }) callerPhone: string;
  @Column({ type: 'varchar', length: 32, nullable: true }) street: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) community: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) address: string | null;
  @Column({ type: 'text' }) content: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) category: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) departmentCode: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) suggestedDepartmentCode: string | null;
  @Column({ type: 'varchar', length: 16 }) status: TicketStatus;
  @Column({ type: 'text', nullable: true }) reply: string | null;
  @Column({ type: 'datetime', nullable: true }) repliedAt: Date | null;
  @Column({ type: 'datetime', nullable: true }) firstDispatchedAt: Date | null;
  @Column({ type: 'datetime', nullable: true }) closedAt: Date | null;
  @Column({ type: 'varchar', length: 24, nullable: true }) satisfaction: Satisfaction | null;
  @Column({ type: 'boolean', default: false }) leaderOnDuty: boolean;
  @Column({ type: 'integer', nullable: true }) dutyLeaderId: number | null;
  /**
   * Topic keys, read from `ticket_topics` (its own table, see ticket-topics.entity.ts) by a correlated subquery in every
   * select of Ticket. Read-only here: write through `writeTicketTopics`.
   */
  @VirtualColumn({ type: 'varchar', query: (alias) => `SELECT ttv.topics FROM ticket_topics ttv WHERE ttv.ticketId = ${alias}.id`, transformer: delimitedList })
  topics: string[];
  @Column({ type: 'integer', nullable: true }) repeatOf: number | null;
  @Column({ type: 'integer', default: 0 }) repeatCount: number;
  @Column({ type: 'integer', default: 0 }) reopenCount: number;
  @Column({ type: 'datetime', nullable: true }) dueAt: Date | null;
  @CreateDateColumn({ type: 'datetime' }) createdAt: Date;
  @UpdateDateColumn({ type: 'datetime' }) updatedAt: Date;
}

@Entity('ticket_history')
export class TicketHistory {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'integer' }) ticketId: number;
  @Column({ type: 'varchar', length: 16, nullable: true }) fromStatus: TicketStatus | null;
  @Column({ type: 'varchar', length: 16 }) toStatus: TicketStatus;
  @Column({ type: 'text', nullable: true }) note: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) departmentCode: string | null;
  @Column({ type: 'integer', nullable: true }) actorId: number | null;
  @Column({ type: 'datetime' }) at: Date;
}
