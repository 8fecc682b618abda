import type { TopicRow } from './topic-report.entity';

/** The fields of a ticket the report needs (read by the run's own query). */
export interface TicketFacts {
  id: number;
  callerPhone: string;
  street: string | null;
  departmentCode: string | null;
  status: string;
  satisfaction: string | null;
  repeatOf: number | null;
  reopenCount: number;
  dueAt: Date | null;
  repliedAt: Date | null;
  closedAt: Date | null;
}

const SAMPLES = 5;
const TOP = 5;

/** Running totals of one topic in one quarter (memory: counters plus distinct callers). */
export class TopicAccumulator {
  count = 0;
  unresolved = 0;
  dissatisfied = 0;
  rated = 0;
  repeat = 0;
  reopened = 0;
  overdue = 0;
  readonly callers = new Set<string>();
  readonly streets = new Map<string, number>();
  readonly departments = new Map<string, number>();
  readonly samples: number[] = [];

  add(t: TicketFacts, now: Date): void {
    this.count++;
    if (t.status !== 'closed' || t.satisfaction === 'dissatisfied') this.unresolved++;
    if (t.satisfaction) {
      this.rated++;
      if (t.satisfaction === 'dissatisfied') this.dissatisfied++;
    }
    if (t.repeatOf != null) this.repeat++;
    if ((t.reopenCount ?? 0) > 0) this.reopened++;
    if (t.dueAt) {
      const done = t.closedAt ?? t.repliedAt ?? now;
      if (done.getTime() > t.dueAt.getTime()) this.overdue++;
    }
    this.callers.add(t.callerPhone);
    if (t.street) this.streets.set(t.street, (this.streets.get(t.street) ?? 0) + 1);
    if (t.departmentCode) this.departments.set(t.departmentCode, (this.departments.get(t.departmentCode) ?? 0) + 1);
    if (this.samples.length < SAMPLES) this.samples.push(t.id);
  }
}

export interface TopicInput {
  key: string;
  label: string;
  kind: 'taxonomy' | 'emerging';
  keywords: string[];
  acc: TopicAccumulator;
  previousCount: number;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const r1 = (x: number) => Math.round(x * 10) / 10;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

function top<K extends string>(m: Map<string, number>, name: K): Array<Record<K, string> & { count: number }> {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP)
    .map(([k, count]) => ({ [name]: k, count }) as Record<K, string> & { count: number });
}

/**
 * Scores (see docs/TOPICS.md):
 *  heat = 100·(0.40·count/maxCount + 0.10·min(1, 10·share) + 0.10·g + 0.25·callers/maxCallers + 0.15·streets/allStreets),
 *         g = clamp((growth+1)/4, 0, 1)
 *  difficulty = 100·(0.30·unresolved + 0.25·dissatisfied + 0.15·repeat + 0.15·reopened + 0.15·overdue) (rates)
 */
export function buildRows(inputs: TopicInput[], ticketCount: number, streetsInQuarter: number): TopicRow[] {
  const live = inputs.filter((i) => i.acc.count > 0);
  const maxCount = Math.max(1, ...live.map((i) => i.acc.count));
  const maxCallers = Math.max(1, ...live.map((i) => i.acc.callers.size));
  const allStreets = Math.max(1, streetsInQuarter);
  const rows = live.map((i): TopicRow => {
    const a = i.acc;
    const share = ticketCount ? a.count / ticketCount : 0;
    const growth = i.previousCount ? (a.count - i.previousCount) / i.previousCount : a.count > 0 ? 1 : 0;
    const g = clamp((growth + 1) / 4, 0, 1);
    const heat = 100 * (0.4 * (a.count / maxCount) + 0.1 * Math.min(1, 10 * share) + 0.1 * g + 0.25 * (a.callers.size / maxCallers) + 0.15 * (a.streets.size / allStreets));
    const unresolvedRate = a.unresolved / a.count;
    const dissatisfiedRate = a.rated ? a.dissatisfied / a.rated : 0;
    const repeatRate = a.repeat / a.count;
    const reopenedRate = a.reopened / a.count;
    const overdueRate = a.overdue / a.count;
    const difficulty = 100 * (0.3 * unresolvedRate + 0.25 * dissatisfiedRate + 0.15 * repeatRate + 0.15 * reopenedRate + 0.15 * overdueRate);
    return {
      key: i.key,
      label: i.label,
      kind: i.kind,
      keywords: i.keywords,
      ticketCount: a.count,
      share: r3(share),
      previousCount: i.previousCount,
      growth: r3(growth),
      heatScore: r1(heat),
      difficultyScore: r1(difficulty),
      unresolvedRate: r3(unresolvedRate),
      dissatisfiedRate: r3(dissatisfiedRate),
      repeatRate: r3(repeatRate),
      reopenedRate: r3(reopenedRate),
      overdueRate: r3(overdueRate),
      distinctCallers: a.callers.size,
      streetCount: a.streets.size,
      topStreets: top(a.streets, 'street'),
      topDepartments: top(a.departments, 'code'),
      sampleTicketIds: a.samples,
    };
  });
  return rows.sort((x, y) => y.heatScore - x.heatScore || y.ticketCount - x.ticketCount || (x.key < y.key ? -1 : 1));
}

const CSV_COLUMNS: Array<keyof TopicRow> = [
  'key', 'label', 'kind', 'keywords', 'ticketCount', 'share', 'previousCount', 'growth', 'heatScore', 'difficultyScore',
  'unresolvedRate', 'dissatisfiedRate', 'repeatRate', 'reopenedRate', 'overdueRate', 'distinctCallers', 'topStreets', 'topDepartments', 'sampleTicketIds',
];

function cell(v: unknown): string {
  let s: string;
  if (Array.isArray(v)) {
    s = v.map((x) => (typeof x === 'object' && x ? Object.values(x as Record<string, unknown>).join(':') : String(x))).join(';');
  } else s = v == null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`; // no formula injection in Excel
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** UTF-8 CSV with a BOM (Excel shows the Chinese), CRLF line ends, one row per topic. */
export function toCsv(quarter: string, rows: TopicRow[]): string {
  const lines = [['quarter', ...CSV_COLUMNS].join(',')];
  for (const r of rows) lines.push([quarter, ...CSV_COLUMNS.map((c) => r[c])].map(cell).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
