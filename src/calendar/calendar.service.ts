import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { configPath } from '../common/paths';
import { localDate, localMidnight } from './quarter';

interface CalendarFile {
  workday: { start: string; end: string };
  holidays: Record<string, string[]>;
  workdays: Record<string, string[]>;
}

const DAY = 86_400_000;

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * The district's working calendar from config/calendar.json: weekends, public holidays and
 * make-up working days. The one implementation that ticket deadlines and window due dates use.
 */
@Injectable()
export class CalendarService {
  private holidays = new Set<string>();
  private workdays = new Set<string>();
  private startMin = 9 * 60;
  private endMin = 18 * 60;

  constructor() {
    this.load(JSON.parse(readFileSync(configPath('calendar.json'), 'utf8')) as CalendarFile);
  }

  load(f: CalendarFile): void {
    this.holidays = new Set(Object.values(f.holidays).flat());
    this.workdays = new Set(Object.values(f.workdays).flat());
    this.startMin = minutes(f.workday.start);
    this.endMin = minutes(f.workday.end);
  }

  /** Is YYYY-MM-DD (or the local date of an instant) a working day? */
  isWorkingDay(day: string | Date): boolean {
    const ymd = typeof day === 'string' ? day : localDate(day);
    if (this.workdays.has(ymd)) return true;
    if (this.holidays.has(ymd)) return false;
    const dow = new Date(`${ymd}T00:00:00Z`).getUTCDay();
    return dow !== 0 && dow !== 6;
  }

  isHoliday(day: string | Date): boolean {
    return this.holidays.has(typeof day === 'string' ? day : localDate(day));
  }

  private nextDay(ymd: string): string {
    return new Date(Date.parse(`${ymd}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
  }

  /**
   * Due time for "n working days" from `from`: the close of business of the n-th working day after
   * the day of `from` (the day of acceptance does not count).
   */
  addWorkingDays(from: Date, n: number): Date {
    let ymd = localDate(from);
    let left = Math.max(0, Math.floor(n));
    if (left === 0) return new Date(localMidnight(ymd).getTime() + this.endMin * 60_000);
    while (left > 0) {
      ymd = this.nextDay(ymd);
      if (this.isWorkingDay(ymd)) left--;
    }
    return new Date(localMidnight(ymd).getTime() + this.endMin * 60_000);
  }

  /** `from` plus `hours` of working time (working days, between workday start and end). */
  addWorkingHours(from: Date, hours: number): Date {
    let leftMin = Math.round(hours * 60);
    let ymd = localDate(from);
    let cursor = Math.floor((from.getTime() - localMidnight(ymd).getTime()) / 60_000);
    for (let guard = 0; guard < 3660; guard++) {
      if (this.isWorkingDay(ymd)) {
        const start = Math.max(cursor, this.startMin);
        if (start < this.endMin) {
          const avail = this.endMin - start;
          if (leftMin <= avail) return new Date(localMidnight(ymd).getTime() + (start + leftMin) * 60_000);
          leftMin -= avail;
        }
      }
      ymd = this.nextDay(ymd);
      cursor = 0;
    }
    throw new Error('addWorkingHours: beyond ten years');
  }

  /** Working days strictly after the day of `a` up to and including the day of `b`. */
  workingDaysBetween(a: Date, b: Date): number {
    let ymd = localDate(a);
    const end = localDate(b);
    let n = 0;
    while (ymd < end) {
      ymd = this.nextDay(ymd);
      if (this.isWorkingDay(ymd)) n++;
    }
    return n;
  }
}
