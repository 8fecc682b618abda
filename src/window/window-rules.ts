/**
 * The rules of single-window acceptance that need no database: states and transitions, the plain-Chinese
 * status labels, the 好差评 rating scale, the overdue rule and the masking of free text for the public.
 */
import { maskName, maskPhone } from '../common/mask';

export const APPLICATION_STATUSES = ['accepted', 'under_review', 'needs_supplement', 'completed', 'rejected'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** Allowed next states; anything else is a 409 that lists these. */
export const TRANSITIONS: Record<ApplicationStatus, readonly ApplicationStatus[]> = {
  accepted: ['under_review'],
  under_review: ['needs_supplement', 'completed', 'rejected'],
  needs_supplement: ['under_review'],
  completed: [],
  rejected: [],
};

/** Still being handled (counts as "in progress" on the board and can become overdue). */
export const OPEN_STATUSES: readonly ApplicationStatus[] = ['accepted', 'under_review', 'needs_supplement'];
export const FINAL_STATUSES: readonly ApplicationStatus[] = ['completed', 'rejected'];

export const STATUS_LABELS: Record<ApplicationStatus, string> = {
  accepted: '受理',
  under_review: '审核中',
  needs_supplement: '需补正材料',
  completed: '已办结',
  rejected: '不予受理',
};

export function allowedNext(from: ApplicationStatus): readonly ApplicationStatus[] {
  return TRANSITIONS[from] ?? [];
}

export function canTransition(from: ApplicationStatus, to: ApplicationStatus): boolean {
  return allowedNext(from).includes(to);
}

/** 好差评 five-point scale: 1 非常不满意 … 5 非常满意. A rating of 2 or less is "bad" and listed for follow-up. */
export const RATING_LABELS: Record<1 | 2 | 3 | 4 | 5, string> = {
  1: '非常不满意',
  2: '不满意',
  3: '基本满意',
  4: '满意',
  5: '非常满意',
};
export const BAD_RATING_MAX = 2;
/** Ratings that count as satisfied in `satisfactionRate` (满意 and 非常满意). */
export const SATISFIED_MIN = 4;
export const RATING_INPUTS: Array<number | string> = [1, 2, 3, 4, 5, ...Object.values(RATING_LABELS)];

/** 1–5 or one of the Chinese words → 1–5; anything else → undefined. */
export function parseRating(v: unknown): 1 | 2 | 3 | 4 | 5 | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 5) return v as 1 | 2 | 3 | 4 | 5;
  if (typeof v === 'string') {
    const hit = Object.entries(RATING_LABELS).find(([, label]) => label === v.trim());
    if (hit) return Number(hit[0]) as 1 | 2 | 3 | 4 | 5;
  }
  return undefined;
}

/**
 * Overdue: not finished by its due time. Once true it stays true (a late completion was still overdue);
 * `finishedAt` is when it was completed or rejected, null while open.
 */
export function isOverdue(a: { overdue: boolean; dueAt: Date; finishedAt: Date | null }, now: Date): boolean {
  if (a.overdue) return true;
  const end = a.finishedAt ?? now;
  return end.getTime() > a.dueAt.getTime();
}

const PHONE_RE = /(?<!\d)1[3-9]\d{9}(?!\d)/g;

/**
 * Free text (a clerk's note, a rating comment) made safe for public answers and events: mobile numbers are
 * masked, and the applicant's full name (when given) becomes its masked form.
 */
export function maskFreeText(text: string | null | undefined, applicantName?: string | null): string | null {
  if (text === null || text === undefined) return null;
  let out = text.replace(PHONE_RE, (p) => maskPhone(p) ?? '');
  const name = applicantName?.trim();
  if (name && Array.from(name).length >= 2) out = out.split(name).join(maskName(name) ?? '');
  return out;
}

/** Readable, unique receipt number: local date + department + 4-digit daily sequence, e.g. 20261128-city-0007. */
export function formatReceiptNo(day: string, departmentCode: string, seq: number): string {
  return `${day}-${departmentCode}-${String(seq).padStart(4, '0')}`;
}

export const RECEIPT_RE = /^\d{8}-[a-z0-9_]{1,32}-\d{4,6}$/;
