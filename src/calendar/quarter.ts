/** Quarters (`2026Q3`) and dates in the district's time zone, Asia/Shanghai (+08:00, no DST). */
export const TZ_OFFSET_MS = 8 * 3600_000;

/** YYYY-MM-DD of `d` in Asia/Shanghai. */
export function localDate(d: Date): string {
  return new Date(d.getTime() + TZ_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant of local midnight starting `ymd` (YYYY-MM-DD) in Asia/Shanghai. */
export function localMidnight(ymd: string): Date {
  return new Date(Date.parse(`${ymd}T00:00:00+08:00`));
}

export function quarterOf(d: Date): string {
  const l = new Date(d.getTime() + TZ_OFFSET_MS);
  return `${l.getUTCFullYear()}Q${Math.floor(l.getUTCMonth() / 3) + 1}`;
}

export const QUARTER_RE = /^(\d{4})Q([1-4])$/;

export function isQuarter(q: string): boolean {
  return QUARTER_RE.test(q);
}

/** [start, end) of a quarter as instants. */
export function quarterRange(q: string): { from: Date; to: Date } {
  const m = QUARTER_RE.exec(q);
  if (!m) throw new Error(`not a quarter: ${q}`);
  const y = Number(m[1]);
  const qi = Number(m[2]);
  const pad = (n: number) => String(n).padStart(2, '0');
  const from = localMidnight(`${y}-${pad((qi - 1) * 3 + 1)}-01`);
  const to = qi === 4 ? localMidnight(`${y + 1}-01-01`) : localMidnight(`${y}-${pad(qi * 3 + 1)}-01`);
  return { from, to };
}

export function previousQuarter(q: string): string {
  const m = QUARTER_RE.exec(q);
  if (!m) throw new Error(`not a quarter: ${q}`);
  const y = Number(m[1]);
  const qi = Number(m[2]);
  return qi === 1 ? `${y - 1}Q4` : `${y}Q${qi - 1}`;
}

export function nextQuarter(q: string): string {
  const m = QUARTER_RE.exec(q);
  if (!m) throw new Error(`not a quarter: ${q}`);
  const y = Number(m[1]);
  const qi = Number(m[2]);
  return qi === 4 ? `${y + 1}Q1` : `${y}Q${qi + 1}`;
}
