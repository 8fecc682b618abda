import { BadRequestException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { In, Repository } from 'typeorm';
import { ClockService } from '../common/clock.service';
import { configPath } from '../common/paths';
import { DepartmentsService } from '../departments/departments.service';
import { Open311ListQuery, Open311RequestDto } from './dto/open311.dto';
import { Open311Key } from './open311-key.entity';
import { Ticket } from './ticket.entity';
import { normalizePhone } from './ticket-rules';
import { hasTopicSql } from './ticket-topics';
import { TicketsService } from './tickets.service';

interface Topic {
  key: string;
  label: string;
  departmentCode?: string;
  keywords?: string[];
}

const hash = (k: string) => createHash('sha256').update(k).digest('hex');

/**
 * Open311 GeoReport v2 face of the hotline: topics as services, our states as open/closed.
 * Public reads carry no personal data; filing needs an admin-issued api_key.
 */
@Injectable()
export class Open311Service {
  private topics: Topic[] = [];

  constructor(
    @InjectRepository(Open311Key) private readonly keys: Repository<Open311Key>,
    @InjectRepository(Ticket) private readonly tickets: Repository<Ticket>,
    private readonly ticketsService: TicketsService,
    private readonly departments: DepartmentsService,
    private readonly clock: ClockService,
  ) {
    const f = configPath('topics.json');
    if (existsSync(f)) {
      try {
        this.topics = JSON.parse(readFileSync(f, 'utf8')) as Topic[];
      } catch {
        this.topics = [];
      }
    }
  }

  services() {
    return this.topics.map((t) => ({
      service_code: t.key,
      service_name: t.label,
      description: t.label,
      metadata: false,
      type: 'realtime',
      keywords: (t.keywords ?? []).slice(0, 10).join(','),
      group: this.departments.name(t.departmentCode) ?? '',
    }));
  }

  async issueKey(label: string, adminId: number) {
    const apiKey = randomBytes(24).toString('base64url');
    const row = await this.keys.save(this.keys.create({ keyHash: hash(apiKey), label, createdBy: adminId, revoked: false, createdAt: this.clock.now() }));
    return { id: row.id, label: row.label, apiKey, createdAt: row.createdAt.toISOString() };
  }

  async create(dto: Open311RequestDto) {
    const key = await this.keys.findOne({ where: { keyHash: hash(dto.api_key) } });
    if (!key || key.revoked) throw new ForbiddenException('invalid api_key');
    const topic = this.topics.find((t) => t.key === dto.service_code);
    if (!topic) throw new BadRequestException([`service_code: unknown service "${dto.service_code}"`]);
    const phone = normalizePhone(dto.phone);
    if (!phone) throw new BadRequestException(['phone must be an 11-digit mobile number or a landline number']);
    const name = [dto.last_name, dto.first_name].filter(Boolean).join('') || undefined;
    const t = await this.ticketsService.create(
      { content: dto.description, callerPhone: phone, callerName: name, channel: 'app', address: dto.address_string, street: dto.street, category: topic.label },
      null,
    );
    return [{ service_request_id: t.ticketNo, service_notice: '已受理，将按接诉即办时限处理', account_id: null }];
  }

  private toRequest(t: Ticket) {
    const topic = this.topics.find((x) => (t.topics ?? []).includes(x.key));
    return {
      service_request_id: t.ticketNo,
      status: t.status === 'closed' ? 'closed' : 'open',
      status_notes: t.status,
      service_name: topic?.label ?? t.category ?? null,
      service_code: topic?.key ?? null,
      description: t.content,
      agency_responsible: this.departments.name(t.departmentCode) ?? null,
      service_notice: null,
      requested_datetime: new Date(t.receivedAt).toISOString(),
      updated_datetime: new Date(t.updatedAt).toISOString(),
      expected_datetime: t.dueAt ? new Date(t.dueAt).toISOString() : null,
      address: t.street ? `北京市西城区${t.street}` : null,
      address_id: null,
      zipcode: null,
      lat: null,
      long: null,
      media_url: null,
    };
  }

  async list(q: Open311ListQuery) {
    const qb = this.tickets.createQueryBuilder('t');
    if (q.service_request_id) {
      qb.where({ ticketNo: In(q.service_request_id.split(',').map((s) => s.trim()).filter(Boolean).slice(0, 500)) });
    } else {
      const end = q.end_date ? new Date(q.end_date) : this.clock.now();
      const start = q.start_date ? new Date(q.start_date) : new Date(end.getTime() - 90 * 86_400_000);
      qb.where('t.receivedAt >= :start AND t.receivedAt <= :end', { start, end });
      if (q.status === 'closed') qb.andWhere("t.status = 'closed'");
      if (q.status === 'open') qb.andWhere("t.status <> 'closed'");
      if (q.service_code) qb.andWhere(hasTopicSql('t', 'topic'), { topic: `%,${q.service_code},%` });
    }
    const rows = await qb.orderBy('t.receivedAt', 'DESC').limit(1000).getMany();
    return rows.map((t) => this.toRequest(t));
  }

  async one(ticketNo: string) {
    const t = await this.tickets.findOne({ where: { ticketNo } });
    if (!t) throw new NotFoundException(`service request ${ticketNo} not found`);
    return [this.toRequest(t)];
  }
}
