import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Page } from '../common/pagination';
import { DepartmentsService } from '../departments/departments.service';
import { CreateLeaderDto } from './dto/livestream.dto';
import { Leader } from './leader.entity';

export interface LeaderView {
  id: number;
  name: string;
  title: string;
  departmentCode: string;
  email: string;
  userId: number | null;
}

/** Leaders who go on air and take hotline duty. Their e-mail is for invitations only, never public. */
@Injectable()
export class LeadersService {
  constructor(
    @InjectRepository(Leader) private readonly repo: Repository<Leader>,
    private readonly departments: DepartmentsService,
  ) {}

  async create(dto: CreateLeaderDto): Promise<LeaderView> {
    const code = this.departments.resolveUnit(dto.departmentCode);
    if (!code) throw new BadRequestException([`departmentCode: unknown department "${dto.departmentCode}"`]);
    const saved = await this.repo.save(this.repo.create({ name: dto.name.trim(), title: dto.title.trim(), departmentCode: code, email: dto.email.trim(), userId: dto.userId ?? null }));
    return view(saved);
  }

  async list(page: number, pageSize: number, departmentCode?: string): Promise<Page<LeaderView>> {
    const [rows, total] = await this.repo.findAndCount({ where: departmentCode ? { departmentCode } : {}, order: { id: 'ASC' }, skip: (page - 1) * pageSize, take: pageSize });
    return { items: rows.map(view), total, page, pageSize };
  }

  async byIds(ids: number[]): Promise<Map<number, Leader>> {
    if (!ids.length) return new Map();
    const rows = await this.repo.findBy({ id: In([...new Set(ids)]) });
    return new Map(rows.map((l) => [l.id, l]));
  }

  async all(): Promise<Leader[]> {
    return this.repo.find({ order: { id: 'ASC' } });
  }

  async byUserId(userId: number): Promise<Leader | null> {
    return this.repo.findOneBy({ userId });
  }
}

function view(l: Leader): LeaderView {
  return { id: l.id, name: l.name, title: l.title, departmentCode: l.departmentCode, email: l.email, userId: l.userId };
}
