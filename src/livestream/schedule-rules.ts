import { readFileSync } from 'node:fs';
import { configPath } from '../common/paths';

/** config/livestream.json: weekly broadcast slots, extra days off, proposal settings. */
export interface LivestreamFile {
  weeklySlots: Array<{ weekday: number; start: string; end: string }>;
  holidays: string[];
  proposals?: { topN?: number; durationMinutes?: number };
}

export function loadLivestreamFile(): LivestreamFile {
  const f = JSON.parse(readFileSync(configPath('livestream.json'), 'utf8')) as LivestreamFile;
  for (const s of f.weeklySlots ?? []) {
    if (!(s.weekday >= 1 && s.weekday <= 7) || !/^\d\d:\d\d$/.test(s.start) || !/^\d\d:\d\d$/.test(s.end)) {
      throw new Error(`config/livestream.json: bad weekly slot ${JSON.stringify(s)}`);
    }
  }
  return { weeklySlots: f.weeklySlots ?? [], holidays: f.holidays ?? [], proposals: f.proposals };
}

const TZ_MS = 8 * 3600_000;

/** An appointment for the clash rules: a session (room) or a duty shift (no room). */
export interface Appointment {
  kind: 'session' | 'shift';
  id: number | null;
  label: string;
  leaderIds: number[];
  startsAt: Date;
  endsAt: Date;
}

export function overlaps(a: { startsAt: Date; endsAt: Date }, b: { startsAt: Date; endsAt: Date }): boolean {
  return a.startsAt.getTime() < b.endsAt.getTime() && b.startsAt.getTime() < a.endsAt.getTime();
}

function local(d: Date): { ymd: string; weekday: number; min: number } {
  const l = new Date(d.getTime() + TZ_MS);
  return { ymd: l.toISOString().slice(0, 10), weekday: l.getUTCDay() === 0 ? 7 : l.getUTCDay(), min: l.getUTCHours() * 60 + l.getUTCMinutes() + l.getUTCSeconds() / 60 };
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

export function describe(a: Appointment): string {
  const t = (d: Date) => new Date(d.getTime() + TZ_MS).toISOString().slice(0, 16).replace('T', ' ');
  return a.kind === 'session'
    ? `session ${a.id ?? '(new)'} "${a.label}" (${t(a.startsAt)}–${t(a.endsAt).slice(11)})`
    : `hotline duty shift ${a.id ?? `(${a.label})`} (${t(a.startsAt)}–${t(a.endsAt).slice(11)})`;
}

/**
 * The one place of the scheduling rules. Returns the first clash as a message naming it, or null.
 * - a session must lie inside one weekly slot of its local day, and not on a holiday;
 * - a leader may not be in two overlapping appointments (sessions and duty shifts alike);
 * - at no instant may more sessions overlap than there are rooms.
 */
export function findClash(
  cand: Appointment,
  others: Appointment[],
  opts: { rooms: number; file: LivestreamFile; isHoliday: (ymd: string) => boolean; leaderName: (id: number) => string },
): string | null {
  if (cand.endsAt.getTime() <= cand.startsAt.getTime()) return 'endsAt must be after startsAt';
  if (cand.kind === 'session') {
    const s = local(cand.startsAt);
    const e = local(new Date(cand.endsAt.getTime() - 1));
    if (opts.file.holidays.includes(s.ymd) || opts.isHoliday(s.ymd)) {
      return `${describe(cand)} falls on a holiday (${s.ymd}): no broadcasts that day`;
    }
    const endMin = s.ymd === e.ymd ? local(cand.endsAt).min || 24 * 60 : Infinity;
    const fits = opts.file.weeklySlots.some((w) => w.weekday === s.weekday && minutes(w.start) <= s.min && endMin <= minutes(w.end));
    if (!fits) {
      const slots = opts.file.weeklySlots.map((w) => `weekday ${w.weekday} ${w.start}–${w.end}`).join(', ');
      return `${describe(cand)} is outside the weekly livestream slots (${slots})`;
    }
  }
  const live = others.filter((o) => !(o.kind === cand.kind && o.id !== null && o.id === cand.id) && overlaps(o, cand));
  for (const o of live) {
    const common = cand.leaderIds.filter((l) => o.leaderIds.includes(l));
    if (common.length) {
      return `leader ${common[0]} (${opts.leaderName(common[0])}) is already booked in ${describe(o)}`;
    }
  }
  if (cand.kind === 'session') {
    const sessions = live.filter((o) => o.kind === 'session');
    // Sweep: the most sessions running at once during the candidate, counting the candidate.
    const points = sessions.flatMap((o) => [
      { t: Math.max(o.startsAt.getTime(), cand.startsAt.getTime()), d: 1, o },
      { t: Math.min(o.endsAt.getTime(), cand.endsAt.getTime()), d: -1, o },
    ]);
    points.sort((a, b) => a.t - b.t || a.d - b.d);
    let n = 1;
    const open: Appointment[] = [];
    for (const p of points) {
      n += p.d;
      if (p.d > 0) open.push(p.o);
      else open.splice(open.indexOf(p.o), 1);
      if (n > opts.rooms) {
        return `no free livestream room: ${describe(cand)} overlaps ${open.map(describe).join(', ')} (rooms: ${opts.rooms})`;
      }
    }
  }
  return null;
}

/** Parse a local Asia/Shanghai time ("2026-03-10 15:00", "2026/3/10 15:00") or any ISO instant. */
export function parseLocalTime(v: unknown): Date | null {
  if (typeof v !== 'string' || !v.trim()) return null;
  const s = v.trim();
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2})[:：](\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (m) {
    const p = (x: string | undefined) => String(Number(x ?? 0)).padStart(2, '0');
    const d = new Date(`${m[1]}-${p(m[2])}-${p(m[3])}T${p(m[4])}:${p(m[5])}:${p(m[6])}+08:00`);
    return Number.isNaN(d.getTime()) || Number(m[2]) > 12 || Number(m[3]) > 31 ? null : d;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}
