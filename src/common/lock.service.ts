import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ClockService } from './clock.service';
import { RedisService } from './redis.service';

/**
 * Named locks held once across instances: Redis `SET NX PX` when REDIS_URL is set,
 * else a row in the `locks` table (works for several instances on one MySQL database).
 */
@Injectable()
export class LockService {
  private readonly log = new Logger(LockService.name);
  private readonly holder = `${process.pid}-${randomUUID()}`;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly redis: RedisService,
    private readonly clock: ClockService,
  ) {}

  async acquire(name: string, ttlMs: number): Promise<boolean> {
    if (this.redis.client && this.redis.ready) {
      // Bounded: a Redis that stopped answering fails the attempt after 1 s (the job runs next time) instead of hanging it.
      const ok = await this.redis.run(`lock ${name}`, (r) => r.set(`lock:${name}`, this.holder, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } }));
      return ok === 'OK';
    }
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + ttlMs);
    // Take over an expired lock atomically, else try to create it.
    const upd = await this.ds
      .createQueryBuilder()
      .update('locks')
      .set({ holder: this.holder, expiresAt })
      .where('name = :name AND expiresAt < :now', { name, now })
      .execute();
    if (upd.affected) return true;
    try {
      await this.ds.createQueryBuilder().insert().into('locks').values({ name, holder: this.holder, expiresAt }).execute();
      return true;
    } catch {
      return false;
    }
  }

  async release(name: string): Promise<void> {
    if (this.redis.client && this.redis.ready) {
      const v = await this.redis.run(`unlock ${name}`, (r) => r.get(`lock:${name}`));
      if (v === this.holder) await this.redis.run(`unlock ${name}`, (r) => r.del(`lock:${name}`));
      return;
    }
    await this.ds.createQueryBuilder().delete().from('locks').where('name = :name AND holder = :h', { name, h: this.holder }).execute();
  }

  /** Run `fn` only if this instance gets the lock; returns undefined when another holds it. */
  async runExclusive<T>(name: string, ttlMs: number, fn: () => Promise<T>): Promise<T | undefined> {
    if (!(await this.acquire(name, ttlMs))) return undefined;
    try {
      return await fn();
    } finally {
      await this.release(name).catch((e: Error) => this.log.warn(`release ${name}: ${e.message}`));
    }
  }
}
