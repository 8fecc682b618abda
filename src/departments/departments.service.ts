import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { readFileSync } from 'node:fs';
import { Repository } from 'typeorm';
import { configPath } from '../common/paths';
import { Department } from './department.entity';

interface DepartmentsFile {
  departments: Array<{ code: string; name: string; aliases?: string[] }>;
  streets: Array<{ code: string; name: string; shortName: string; aliases?: string[] }>;
}

export function readDepartmentsFile(): DepartmentsFile {
  return JSON.parse(readFileSync(configPath('departments.json'), 'utf8')) as DepartmentsFile;
}

/**
 * Departments and streets of the district (seeded from config/departments.json at every start),
 * and the one place that turns the many ways people write them into a stable code or street name.
 */
@Injectable()
export class DepartmentsService implements OnApplicationBootstrap {
  private readonly log = new Logger(DepartmentsService.name);
  private byKey = new Map<string, Department>();
  private all: Department[] = [];

  constructor(@InjectRepository(Department) private readonly repo: Repository<Department>) {
    this.index(this.fromFile());
  }

  private fromFile(): Department[] {
    const f = readDepartmentsFile();
    return [
      ...f.departments.map((d) => Object.assign(new Department(), { code: d.code, name: d.name, shortName: null, kind: 'department' as const, aliases: d.aliases ?? [] })),
      ...f.streets.map((s) => Object.assign(new Department(), { code: s.code, name: s.name, shortName: s.shortName, kind: 'street' as const, aliases: s.aliases ?? [] })),
    ];
  }

  private index(list: Department[]): void {
    this.all = list;
    this.byKey.clear();
    for (const d of list) {
      for (const k of [d.code, d.name, d.shortName, ...(d.aliases ?? [])]) if (k) this.byKey.set(k.toLowerCase(), d);
      if (d.name.startsWith('区')) this.byKey.set(d.name.slice(1).toLowerCase(), d);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.repo.save(this.all);
    this.log.log(`departments: ${this.all.filter((d) => d.kind === 'department').length} departments, ${this.all.filter((d) => d.kind === 'street').length} streets`);
  }

  list(): Array<{ code: string; name: string; kind: 'department' | 'street'; shortName?: string }> {
    return this.all.map((d) => ({ code: d.code, name: d.name, kind: d.kind, ...(d.shortName ? { shortName: d.shortName } : {}) }));
  }

  get(code: string): Department | undefined {
    const d = this.byKey.get(code.trim().toLowerCase());
    return d && d.code === code ? d : undefined;
  }

  /** Any unit (department or street) by code, name or alias → its code; undefined when unknown. */
  resolveUnit(input: string | null | undefined): string | undefined {
    if (!input) return undefined;
    return this.byKey.get(input.trim().toLowerCase())?.code;
  }

  /** A street by code, 德胜街道 or 德胜 → the short name tickets store (德胜); undefined when unknown. */
  resolveStreet(input: string | null | undefined): string | undefined {
    if (!input) return undefined;
    const d = this.byKey.get(input.trim().toLowerCase());
    return d?.kind === 'street' ? (d.shortName ?? d.name) : undefined;
  }

  name(code: string | null | undefined): string | undefined {
    return code ? this.all.find((d) => d.code === code)?.name : undefined;
  }

  streets(): Department[] {
    return this.all.filter((d) => d.kind === 'street');
  }
}
