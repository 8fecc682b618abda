import { BadRequestException, ConflictException, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import * as bcrypt from 'bcryptjs';
import { Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DepartmentsService } from '../departments/departments.service';
import { CreateUserDto } from './dto/create-user.dto';
import { PublicUser, toPublicUser, User } from './user.entity';

const BCRYPT_ROUNDS = 10;

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly log = new Logger(UsersService.name);

  constructor(
    @InjectRepository(User) private readonly repo: Repository<User>,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly departments: DepartmentsService,
  ) {}

  /** First start: create the admin from ADMIN_USERNAME/ADMIN_PASSWORD when there is no user at all. */
  async onApplicationBootstrap(): Promise<void> {
    if ((await this.repo.count()) > 0) return;
    await this.repo.insert({
      username: this.cfg.adminUsername,
      passwordHash: await bcrypt.hash(this.cfg.adminPassword, BCRYPT_ROUNDS),
      role: 'admin',
      displayName: '系统管理员',
      email: null,
      departmentCode: null,
    });
    if (this.cfg.adminDefaulted) {
      this.log.warn(`created admin "${this.cfg.adminUsername}" with the development default password (set ADMIN_PASSWORD)`);
    } else {
      this.log.log(`created admin "${this.cfg.adminUsername}" from ADMIN_USERNAME/ADMIN_PASSWORD`);
    }
  }

  async create(dto: CreateUserDto): Promise<PublicUser> {
    let departmentCode: string | null = null;
    if (dto.departmentCode) {
      departmentCode = this.departments.resolveUnit(dto.departmentCode) ?? null;
      if (!departmentCode) throw new BadRequestException({ message: [`departmentCode "${dto.departmentCode}" is not a known department or street`] });
    }
    if (await this.repo.exists({ where: { username: dto.username } })) throw new ConflictException(`username "${dto.username}" is taken`);
    try {
      const u = await this.repo.save(
        this.repo.create({
          username: dto.username,
          passwordHash: await bcrypt.hash(dto.password, BCRYPT_ROUNDS),
          role: dto.role,
          displayName: dto.displayName,
          email: dto.email ?? null,
          departmentCode,
        }),
      );
      return toPublicUser(u);
    } catch (e) {
      if (/unique|duplicate/i.test((e as Error).message)) throw new ConflictException(`username "${dto.username}" is taken`);
      throw e;
    }
  }

  async list(page: number, pageSize: number) {
    const [items, total] = await this.repo.findAndCount({ order: { id: 'ASC' }, skip: (page - 1) * pageSize, take: pageSize });
    return { items: items.map(toPublicUser), total, page, pageSize };
  }

  findById(id: number): Promise<User | null> {
    return this.repo.findOne({ where: { id } });
  }

  /** The user with the hash, for checking a password. */
  findForLogin(username: string): Promise<User | null> {
    return this.repo.createQueryBuilder('u').addSelect('u.passwordHash').where('u.username = :username', { username }).getOne();
  }

  async verifyPassword(user: User, password: string): Promise<boolean> {
    return bcrypt.compare(password, user.passwordHash);
  }

  /** Used by demo data and tests: create the user unless the username exists. */
  async ensure(dto: CreateUserDto): Promise<PublicUser> {
    const existing = await this.repo.findOne({ where: { username: dto.username } });
    return existing ? toPublicUser(existing) : this.create(dto);
  }
}
