import { Column, Entity, PrimaryColumn } from 'typeorm';
import { jsonText } from '../common/transformers';

export interface TopicRow {
  key: string;
  label: string;
  kind: 'taxonomy' | 'emerging';
  keywords: string[];
  ticketCount: number;
  share: number;
  previousCount: number;
  growth: number;
  heatScore: number;
  difficultyScore: number;
  unresolvedRate: number;
  dissatisfiedRate: number;
  repeatRate: number;
  reopenedRate: number;
  overdueRate: number;
  distinctCallers: number;
  streetCount: number;
  topStreets: Array<{ street: string; count: number }>;
  topDepartments: Array<{ code: string; count: number }>;
  sampleTicketIds: number[];
}

/** One quarter's report; the row is replaced in one update when a run finishes. */
@Entity('topic_reports')
export class TopicReport {
  @PrimaryColumn({ type: 'varchar', length: 6 }) quarter: string;
  @Column({ type: 'varchar', length: 16 }) status: 'running' | 'done' | 'failed';
  @Column({ type: 'integer', default: 0 }) progress: number;
  @Column({ type: 'integer', default: 0 }) ticketCount: number;
  @Column({ type: 'datetime', nullable: true }) generatedAt: Date | null;
  @Column({ type: 'datetime', nullable: true }) startedAt: Date | null;
  @Column({ type: 'text', nullable: true, transformer: jsonText<TopicRow[]>([]) }) topics: TopicRow[];
  @Column({ type: 'text', nullable: true }) error: string | null;
}
