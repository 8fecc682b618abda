import { readFileSync } from 'node:fs';
import { configPath } from '../common/paths';
import { CalendarService } from '../calendar/calendar.service';
import type { TicketStatus } from './ticket.entity';

/** The rules of a ticket, in one place: phone format, lengths, the state machine, deadlines, repeat-call similarity. */

export const CONTENT_MIN = 5;
export const CONTENT_MAX = 2000;
/** Mainland mobile (11 digits) or a landline: optional area code 0xx/0xxx then 7–8 digits; spaces and dashes ignored. */
export const PHONE_RE = /^(?:1[3-9]\d{9}|(?:0\d{2,3})?[2-9]\d{6,7})$/;

export function normalizePhone(raw: unknown): string | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const p = String(raw).replace(/[\s-]/g, '');
  return PHONE_RE.test(p) ? p : undefined;
}

/** Allowed next states; anything else is a 409 that lists these. */
export const TRANSITIONS: Record<TicketStatus, TicketStatus[]> = {
  received: ['dispatched'],
  dispatched: ['received', 'in_progress'],
  in_progress: ['replied'],
  replied: ['closed', 'in_progress'],
  closed: [],
};

export const REPEAT_WINDOW_DAYS = 30;
export const REPEAT_SIMILARITY = 0.5;

function bigrams(s: string): Set<string> {
  const chars = Array.from(s.replace(/[\s\p{P}\p{S}]/gu, ''));
  const out = new Set<string>();
  if (chars.length === 1) out.add(chars[0]);
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
  return out;
}

/** Character-bigram Jaccard similarity of two texts (punctuation and spaces ignored), 0..1. */
export function similarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (!x.size || !y.size) return 0;
  let inter = 0;
  for (const g of x) if (y.has(g)) inter++;
  return inter / (x.size + y.size - inter);
}

/** At most this many earlier tickets of the caller (oldest first) are compared. */
export const REPEAT_CANDIDATES = 200;

/** An earlier ticket of the same caller: `key` identifies it, `root` is its own repeatOf (null when it heads a chain). */
export interface RepeatCandidate<K> {
  key: K;
  root: K | null;
  content: string;
  receivedAt: Date;
}

/**
 * The repeat-call rule, used by create and by import: among the same phone's earlier tickets (`candidates`, sorted by
 * receivedAt then id), those received in the 30 days up to `at` are compared oldest first (at most 200); the first
 * whose content has similarity ≥ 0.5 links the new ticket to its chain's root (its own repeatOf, or itself).
 * Returns that root's key, or null.
 */
export function repeatRoot<K>(candidates: Iterable<RepeatCandidate<K>>, content: string, at: Date): K | null {
  const t = at.getTime();
  const since = t - REPEAT_WINDOW_DAYS * 86_400_000;
  let seen = 0;
  for (const c of candidates) {
    const ct = c.receivedAt.getTime();
    if (ct < since || ct > t) continue;
    if (++seen > REPEAT_CANDIDATES) break;
    if (similarity(c.content, content) >= REPEAT_SIMILARITY) return c.root ?? c.key;
  }
  return null;
}

interface Span {
  hours?: number;
  workingHours?: number;
  workingDays?: number;
}
export interface DeadlineRules {
  /** Clock hours (stats compute it in SQL). */
  response: { hours: number };
  states: Partial<Record<TicketStatus, Span>>;
}

export function loadDeadlineRules(): DeadlineRules {
  try {
    return JSON.parse(readFileSync(configPath('ticket-deadlines.json'), 'utf8')) as DeadlineRules;
  } catch {
    return { response: { hours: 24 }, states: {} };
  }
}

export class Deadlines {
  constructor(
    private readonly rules: DeadlineRules,
    private readonly cal: CalendarService,
  ) {}

  /** "n working days" depends only on the local day, so bulk imports reuse the answer. */
  private readonly dayCache = new Map<string, Date>();

  private add(from: Date, s: Span | undefined): Date | null {
    if (!s) return null;
    if (s.workingDays !== undefined) {
      const key = `${s.workingDays}|${new Date(from.getTime() + 8 * 3600_000).toISOString().slice(0, 10)}`;
      let d = this.dayCache.get(key);
      if (!d) {
        d = this.cal.addWorkingDays(from, s.workingDays);
        if (this.dayCache.size > 20_000) this.dayCache.clear();
        this.dayCache.set(key, d);
      }
      return new Date(d.getTime());
    }
    if (s.workingHours !== undefined) return this.cal.addWorkingHours(from, s.workingHours);
    if (s.hours !== undefined) return new Date(from.getTime() + s.hours * 3600_000);
    return null;
  }

  /** Due time of `status` entered at `since` (null for closed or states without a rule). */
  dueAt(status: TicketStatus, since: Date): Date | null {
    return status === 'closed' ? null : this.add(since, this.rules.states[status]);
  }

  /** The 接诉即办 response window in seconds (default 24 h after receipt). */
  responseSeconds(): number {
    const h = Number(this.rules.response?.hours);
    return Number.isFinite(h) && h > 0 ? Math.round(h * 3600) : 24 * 3600;
  }
}
