import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ClockService } from '../common/clock.service';
import { AuditLog } from './audit-log.entity';

export interface AuditEntry {
  actorId?: number | null;
  actorName?: string | null;
  action: string;
  target?: string | null;
  ip?: string | null;
  /** Free text; never personal data (no names or phones). */
  detail?: string | null;
}

/** Who did what, when: logins, failed logins, unmasked reads of personal data, refusals. */
@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditLog) private readonly repo: Repository<AuditLog>, private readonly clock: ClockService) {}

  async record(e: AuditEntry): Promise<void> {
    await this.repo.insert({
      at: this.clock.now(),
      actorId: e.actorId ?? null,
      actorName: e.actorName ?? null,
      action: e.action,
      target: e.target ?? null,
      ip: e.ip ?? null,
      detail: e.detail ?? null,
    });
  }

  async list(page: number, pageSize: number, action?: string) {
    const [items, total] = await this.repo.findAndCount({
      where: action ? { action } : {},
      order: { id: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items, total, page, pageSize };
  }
}
