import { Injectable } from '@nestjs/common';

/** The one source of "now", so tests can move time (reminders, deadlines, lockouts). */
@Injectable()
export class ClockService {
  private offsetMs = 0;
  private fixed: number | null = null;

  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return this.fixed ?? Date.now() + this.offsetMs;
  }

  /** Test hook: freeze time at `at`, or pass null to run free again. */
  set(at: Date | null): void {
    this.fixed = at ? at.getTime() : null;
  }

  /** Test hook: move time forward (works frozen or free). */
  advance(ms: number): void {
    if (this.fixed !== null) this.fixed += ms;
    else this.offsetMs += ms;
  }
}
