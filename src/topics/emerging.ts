import { createHash } from 'node:crypto';

/** A clause that fit no taxonomy topic, as a set of salient jieba tokens, with the ticket it came from. */
export interface UnmatchedDoc {
  ticketId: number;
  tokens: string[];
}

export interface EmergingCluster {
  key: string;
  label: string;
  keywords: string[];
  ticketIds: number[];
  count: number;
  previousCount: number;
  growth: number;
}

export interface EmergingOptions {
  /** smallest cluster reported (tickets) */
  minSize: number;
  /** a cluster must have grown by at least this factor against the previous quarter */
  minGrowth: number;
  maxClusters: number;
  /** true when the words are just a taxonomy topic under another name */
  isTaxonomy: (keywords: string[]) => boolean;
}

/** Does a doc belong to the cluster defined by (seed, keywords)? The seed word, or two of its companion words. */
function belongs(tokens: Set<string>, seed: string, companions: string[]): boolean {
  if (tokens.has(seed)) return true;
  let n = 0;
  for (const k of companions) if (tokens.has(k) && ++n >= 2) return true;
  return false;
}

/**
 * Salient-word clustering of the clauses no taxonomy topic claimed.
 * Repeatedly: the word found in most remaining tickets is a seed; its companions are the words that occur
 * with it in ≥ 35 % of those tickets (word-pair co-occurrence); the cluster is every ticket with the seed or with
 * two companions. The same rule counts the previous quarter; clusters that grew are reported.
 */
export function findEmerging(current: UnmatchedDoc[], previous: UnmatchedDoc[], opts: EmergingOptions): EmergingCluster[] {
  const cur = mergeByTicket(current);
  const prev = mergeByTicket(previous);
  const remaining = new Map(cur);
  const banned = new Set<string>();
  const out: EmergingCluster[] = [];
  for (let round = 0; round < opts.maxClusters * 4 && out.length < opts.maxClusters; round++) {
    const df = new Map<string, number>();
    for (const toks of remaining.values()) for (const t of toks) if (!banned.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
    let seed = '';
    let seedDf = 0;
    for (const [t, n] of df) if (n > seedDf || (n === seedDf && t < seed)) [seed, seedDf] = [t, n];
    if (seedDf < opts.minSize) break;
    const co = new Map<string, number>();
    for (const toks of remaining.values()) if (toks.has(seed)) for (const t of toks) if (t !== seed) co.set(t, (co.get(t) ?? 0) + 1);
    const companions = [...co.entries()]
      .filter(([, n]) => n >= 0.35 * seedDf)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 6)
      .map(([t]) => t);
    const members: number[] = [];
    for (const [id, toks] of remaining) if (belongs(toks, seed, companions)) members.push(id);
    let previousCount = 0;
    for (const toks of prev.values()) if (belongs(toks, seed, companions)) previousCount++;
    const keywords = [seed, ...companions];
    for (const id of members) remaining.delete(id);
    banned.add(seed);
    if (members.length < opts.minSize) continue;
    if (opts.isTaxonomy(keywords)) continue;
    const growth = previousCount ? (members.length - previousCount) / previousCount : members.length;
    if (members.length < previousCount * (1 + opts.minGrowth)) continue;
    const slug = createHash('sha1').update(keywords.slice(0, 2).sort().join('|')).digest('hex').slice(0, 8);
    out.push({
      key: `emerging:${slug}`,
      label: `${keywords.slice(0, 2).join('')}相关诉求`,
      keywords,
      ticketIds: members.sort((a, b) => a - b),
      count: members.length,
      previousCount,
      growth: Math.round(growth * 1000) / 1000,
    });
  }
  return out;
}

function mergeByTicket(docs: UnmatchedDoc[]): Map<number, Set<string>> {
  const m = new Map<number, Set<string>>();
  for (const d of docs) {
    const s = m.get(d.ticketId) ?? new Set<string>();
    for (const t of d.tokens) s.add(t);
    m.set(d.ticketId, s);
  }
  return m;
}
