import { Global, Module } from '@nestjs/common';
import { ClockService } from './clock.service';
import { DomainEvents } from './domain-events';
import { LockService } from './lock.service';
import { RateLimitService } from './rate-limit.service';
import { RedisService } from './redis.service';

/** Side effects every module shares, each behind one injectable: clock, Redis, rate limits, locks. */
@Global()
@Module({
  providers: [ClockService, RedisService, RateLimitService, LockService, DomainEvents],
  exports: [ClockService, RedisService, RateLimitService, LockService, DomainEvents],
})
export class CommonModule {}
