import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A leader's hotline duty shift (一把手接听热线). */
@Entity('hotline_duty_shifts')
export class HotlineShift {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'integer' }) leaderId: number;
  @Column({ type: 'datetime' }) startsAt: Date;
  @Column({ type: 'datetime' }) endsAt: Date;
  @Column({ type: 'integer', default: 0 }) sequence: number;
  @Column({ type: 'datetime' }) createdAt: Date;
}
