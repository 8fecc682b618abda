import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('leaders')
export class Leader {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 64 }) name: string;
  @Column({ type: 'varchar', length: 64 }) title: string;
  @Column({ type: 'varchar', length: 32 }) departmentCode: string;
  @Column({ type: 'varchar', length: 254 }) email: string;
  /** The staff account (role leader) this leader answers with, if any. */
  @Column({ type: 'integer', nullable: true }) userId: number | null;
  @CreateDateColumn({ type: 'datetime' }) createdAt: Date;
}
