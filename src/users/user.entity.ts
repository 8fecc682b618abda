import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ROLES = ['admin', 'operator', 'moderator', 'leader', 'clerk'] as const;
export type Role = (typeof ROLES)[number];

@Entity('users')
export class User {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 64, unique: true }) username: string;
  @Column({ type: 'varchar', length: 100, select: false }) passwordHash: string;
  @Column({ type: 'varchar', length: 16 }) role: Role;
  @Column({ type: 'varchar', length: 64 }) displayName: string;
  @Column({ type: 'varchar', length: 254, nullable: true }) email: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) departmentCode: string | null;
  @CreateDateColumn({ type: 'datetime' }) createdAt: Date;
}

/** What the API shows of a user (never the hash). */
export interface PublicUser {
  id: number;
  username: string;
  role: Role;
  displayName: string;
  email: string | null;
  departmentCode: string | null;
}

export function toPublicUser(u: User): PublicUser {
  return { id: u.id, username: u.username, role: u.role, displayName: u.displayName, email: u.email, departmentCode: u.departmentCode };
}
