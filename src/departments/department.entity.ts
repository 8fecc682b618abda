import { Column, Entity, PrimaryColumn } from 'typeorm';
import { jsonText } from '../common/transformers';

@Entity('departments')
export class Department {
  @PrimaryColumn({ type: 'varchar', length: 32 }) code: string;
  @Column({ type: 'varchar', length: 64 }) name: string;
  /** Street name without the 街道 suffix (as 12341 work orders write it); null for departments. */
  @Column({ type: 'varchar', length: 64, nullable: true }) shortName: string | null;
  @Column({ type: 'varchar', length: 16 }) kind: 'department' | 'street';
  @Column({ type: 'text', nullable: true, transformer: jsonText<string[]>([]) }) aliases: string[];
}
