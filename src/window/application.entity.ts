import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ApplicationStatus } from './window-rules';

/** One application taken at the single window. Personal data (name, phone) leaves the server masked only. */
@Entity('window_applications')
export class WindowApplication {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 64 }) receiptNo: string;
  /** Local date YYYYMMDD of acceptance and the department's sequence that day (unique together). */
  @Column({ type: 'varchar', length: 8 }) receiptDay: string;
  @Column({ type: 'integer' }) seq: number;
  @Column({ type: 'varchar', length: 400 }) matter: string;
  @Column({ type: 'varchar', length: 128 }) applicantName: string;
  @Column({ type: 'varchar', length: 32 }) applicantPhone: string;
  @Column({ type: 'varchar', length: 32 }) departmentCode: string;
  @Column({ type: 'varchar', length: 20 }) status: ApplicationStatus;
  @Column({ type: 'integer' }) promisedDays: number;
  @Column({ type: 'datetime' }) acceptedAt: Date;
  @Column({ type: 'datetime' }) dueAt: Date;
  @Column({ type: 'datetime', nullable: true }) completedAt: Date | null;
  /** When it became completed or rejected (stops the overdue clock). */
  @Column({ type: 'datetime', nullable: true }) finishedAt: Date | null;
  @Column({ type: 'boolean', default: false }) overdue: boolean;
  @Column({ type: 'varchar', length: 64 }) queryCodeHash: string;
  @Column({ type: 'varchar', length: 32 }) queryCodeSalt: string;
  @Column({ type: 'integer', nullable: true }) rating: number | null;
  @Column({ type: 'varchar', length: 1000, nullable: true }) ratingComment: string | null;
  @Column({ type: 'datetime', nullable: true }) ratedAt: Date | null;
  @Column({ type: 'integer', nullable: true }) createdById: number | null;
  @Column({ type: 'datetime' }) updatedAt: Date;
}

@Entity('window_application_history')
export class WindowApplicationHistory {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'integer' }) applicationId: number;
  @Column({ type: 'varchar', length: 20 }) status: ApplicationStatus;
  @Column({ type: 'varchar', length: 1000, nullable: true }) note: string | null;
  @Column({ type: 'datetime' }) at: Date;
  @Column({ type: 'integer', nullable: true }) actorId: number | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) actorName: string | null;
}
