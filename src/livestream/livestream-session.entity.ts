import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { jsonText } from '../common/transformers';

export const SESSION_STATUSES = ['scheduled', 'live', 'ended', 'cancelled'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

@Entity('livestream_sessions')
export class LivestreamSession {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 200 }) title: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'varchar', length: 32 }) departmentCode: string;
  @Column({ type: 'varchar', length: 255, default: '[]', transformer: jsonText<number[]>([]) }) leaderIds: number[];
  @Column({ type: 'varchar', length: 512, default: '[]', transformer: jsonText<string[]>([]) }) topicKeys: string[];
  @Column({ type: 'datetime' }) startsAt: Date;
  @Column({ type: 'datetime' }) endsAt: Date;
  @Column({ type: 'boolean', default: false }) planned: boolean;
  @Column({ type: 'varchar', length: 16, default: 'scheduled' }) status: SessionStatus;
  @Column({ type: 'varchar', length: 512, nullable: true }) streamUrl: string | null;
  /** iCalendar SEQUENCE: grows with every change mailed to the leaders. */
  @Column({ type: 'integer', default: 0 }) sequence: number;
  @CreateDateColumn({ type: 'datetime' }) createdAt: Date;
  @UpdateDateColumn({ type: 'datetime' }) updatedAt: Date;
}
