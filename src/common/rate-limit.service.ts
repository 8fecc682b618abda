import { Injectable } from '@nestjs/common';
import { ClockService } from './clock.service';
import { RedisService } from './redis.service';

export interface RateResult {
  allowed: boolean;
  count: number;
  retryAfterMs: number;
}

/**
 * Fixed-window counters: in Redis when configured (so limits hold across instances), else in memory.
 * If Redis is configured but down (or does not answer within 1 s), falls back to memory so each instance keeps serving.
 */
@Injectable()
export class RateLimitService {
  private readonly mem = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly redis: RedisService, private readonly clock: ClockService) {}

  /** Count one hit on `key`; allowed while the count in the window is ≤ limit. */
  async hit(key: string, limit: number, windowMs: number): Promise<RateResult> {
    if (this.redis.client) {
      try {
        return await this.redis.run('rate limit', async (r) => {
          const k = `rl:${key}`;
          const count = await r.incr(k);
          if (count === 1) await r.pExpire(k, windowMs);
          const ttl = await r.pTTL(k);
          return { allowed: count <= limit, count, retryAfterMs: Math.max(ttl, 0) };
        });
      } catch {
        /* down or not answering within 1 s: fall through to memory */
      }
    }
    return this.memHit(key, limit, windowMs);
  }

  /** Current count without counting (e.g. "is this receipt locked?"). */
  async peek(key: string): Promise<{ count: number; retryAfterMs: number }> {
    if (this.redis.client) {
      try {
        const [v, ttl] = await this.redis.run('rate limit', (r) => Promise.all([r.get(`rl:${key}`), r.pTTL(`rl:${key}`)]));
        return { count: Number(v ?? 0), retryAfterMs: Math.max(ttl, 0) };
      } catch {
        /* fall through */
      }
    }
    const e = this.mem.get(key);
    const now = this.clock.nowMs();
    if (!e || e.resetAt <= now) return { count: 0, retryAfterMs: 0 };
    return { count: e.count, retryAfterMs: e.resetAt - now };
  }

  async reset(key: string): Promise<void> {
    this.mem.delete(key);
    if (this.redis.client) await this.redis.run('rate limit', (r) => r.del(`rl:${key}`)).catch(() => undefined);
  }

  private memHit(key: string, limit: number, windowMs: number): RateResult {
    const now = this.clock.nowMs();
    let e = this.mem.get(key);
    if (!e || e.resetAt <= now) {
      e = { count: 0, resetAt: now + windowMs };
      this.mem.set(key, e);
      if (this.mem.size > 100_000) this.sweep(now);
    }
    e.count++;
    return { allowed: e.count <= limit, count: e.count, retryAfterMs: e.resetAt - now };
  }

  private sweep(now: number): void {
    for (const [k, v] of this.mem) if (v.resetAt <= now) this.mem.delete(k);
  }
}
