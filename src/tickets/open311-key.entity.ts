import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('open311_keys')
export class Open311Key {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 64, unique: true }) keyHash: string;
  @Column({ type: 'varchar', length: 100 }) label: string;
  @Column({ type: 'integer', nullable: true }) createdBy: number | null;
  @Column({ type: 'boolean', default: false }) revoked: boolean;
  @Column({ type: 'datetime' }) createdAt: Date;
}
