import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configPath } from '../common/paths';
import type { DispatchSuggestion } from '../common/ports';

/** One taxonomy entry of config/topics.json. */
export interface TaxonomyTopic {
  key: string;
  label: string;
  departmentCode: string;
  keywords: string[];
}

interface JiebaLike {
  cut(text: string, hmm?: boolean): string[];
  loadDict(dict: Buffer): void;
}

let jiebaSingleton: JiebaLike | undefined;

/**
 * @node-rs/jieba with its default dictionary plus config/user-dict.txt, loaded once per process, on first use
 * (it costs ~50 MB of native memory, so an app that never segments text never pays for it).
 * The dictionary file is read here rather than through `@node-rs/jieba/dict`, which would keep its 11 MB of
 * Buffers (dict + idf) in the module cache after jieba has built its own copy.
 */
export function jieba(): JiebaLike {
  if (!jiebaSingleton) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(d: Buffer): JiebaLike } };
    const j = Jieba.withDict(readFileSync(join(dirname(require.resolve('@node-rs/jieba/dict')), 'dict.txt')));
    j.loadDict(readFileSync(configPath('user-dict.txt')));
    jiebaSingleton = j;
  }
  return jiebaSingleton;
}

/**
 * Clause boundaries: a run of sentence punctuation, or a connector callers use to add a second matter (with the
 * commas or colons after it). Tried in this order at each position, so 还有就是 wins over 还有.
 */
const CLAUSE_PUNCTUATION = '。；;！!？?\n';
const CONNECTORS = ['另外', '此外', '还有就是', '还有', '同时还', '再有', '再就是'];
const AFTER_CONNECTOR = '，,、：:';

/** Per UTF-16 code unit: 1 clause punctuation, 2 first character of a connector, 4 may follow a connector, 8 white space (what `trim` removes). */
const CHAR_CLASS = (() => {
  const c = new Uint8Array(65536);
  for (const ch of CLAUSE_PUNCTUATION) c[ch.charCodeAt(0)] |= 1;
  for (const w of CONNECTORS) c[w.charCodeAt(0)] |= 2;
  for (const ch of AFTER_CONNECTOR) c[ch.charCodeAt(0)] |= 4;
  for (let u = 0; u < 65536; u++) if (/\s/.test(String.fromCharCode(u))) c[u] |= 8;
  return c;
})();

/**
 * The clauses of a text (one matter each) as [start, end) pairs appended to `out`: split at the boundaries above,
 * white space trimmed, clauses under 2 characters dropped. One pass, no substrings: the run scans every ticket.
 */
export function clauseBounds(text: string, out: number[]): number[] {
  const n = text.length;
  const emit = (s: number, e: number) => {
    while (s < e && CHAR_CLASS[text.charCodeAt(s)] & 8) s++;
    while (e > s && CHAR_CLASS[text.charCodeAt(e - 1)] & 8) e--;
    if (e - s >= 2) out.push(s, e);
  };
  let start = 0;
  let i = 0;
  while (i < n) {
    const k = CHAR_CLASS[text.charCodeAt(i)];
    if (k & 1) {
      emit(start, i);
      while (++i < n && CHAR_CLASS[text.charCodeAt(i)] & 1);
      start = i;
      continue;
    }
    if (k & 2) {
      const w = CONNECTORS.find((c) => text.startsWith(c, i));
      if (w) {
        emit(start, i);
        i += w.length;
        while (i < n && CHAR_CLASS[text.charCodeAt(i)] & 4) i++;
        start = i;
        continue;
      }
    }
    i++;
  }
  emit(start, n);
  return out;
}

export function splitClauses(text: string): string[] {
  const b = clauseBounds(text, []);
  const out: string[] = [];
  for (let k = 0; k < b.length; k += 2) out.push(text.slice(b[k], b[k + 1]));
  return out;
}

interface TrieNode {
  next: Map<number, TrieNode>;
  /** topic index and weight when a keyword ends here */
  hits?: Array<{ topic: number; weight: number; len: number }>;
}

export interface ClauseScore {
  clause: string;
  scores: Float64Array;
  best: number;
  bestScore: number;
}

const STRONG = 1.0;
const PLACE_SUFFIX = /(街道|社区|小区|胡同|号院|号楼|路口|大街|小街)$/;

/**
 * The topic model shared by the quarterly run and the dispatch suggestion.
 *
 * 1. A ticket is split into clauses (one matter each: 。；and connectors like 另外).
 * 2. In each clause the taxonomy keywords are found with a character trie, longest match first,
 *    no overlaps; each match adds weight 1 + 0.25·(length−2) to its topic.
 * 3. The clause takes its best topic when the score ≥ 1; a second topic only when it is strong on its own
 *    (≥ 2 and ≥ 0.8 of the best), so one clause may name two matters.
 * 4. Clauses with no keyword fall back to a token model: jieba tokens (stop words removed) are compared with
 *    each topic's segmented keywords (tokens specific to ≤ 2 topics, IDF-weighted); ≥ 2 distinct shared tokens tag it.
 */
export class TopicModel {
  readonly topics: TaxonomyTopic[];
  private readonly root: TrieNode = { next: new Map() };
  /** the root's children by UTF-16 code unit (most characters start no keyword: one array read each) */
  private readonly first: Array<TrieNode | null> = new Array<TrieNode | null>(65536).fill(null);
  /** per-call scratch of analyse() (synchronous, so one per model is enough) */
  private readonly scratchScores: Float64Array;
  private readonly scratchConf: Float64Array;
  private readonly scratchBounds: number[] = [];
  private readonly stop: Set<string>;
  /** token → [topic index → weight] from the segmented keywords; built on first use (it needs jieba). */
  private tokenTopicsCache?: Map<string, Map<number, number>>;
  private readonly deptNames = new Map<string, string>();
  /** department names and aliases (城管, 派出所…): a caller naming a department adds to its confidence */
  private readonly deptAliases: Array<[string, string]> = [];

  constructor(topics?: TaxonomyTopic[], stopwords?: string[]) {
    this.topics = topics ?? (JSON.parse(readFileSync(configPath('topics.json'), 'utf8')) as TaxonomyTopic[]);
    const sw = stopwords ?? readFileSync(configPath('stopwords.txt'), 'utf8').split(/\r?\n/);
    this.stop = new Set(sw.map((s) => s.trim()).filter(Boolean));
    // Place names of the user dictionary (tag ns) never define a topic.
    try {
      for (const line of readFileSync(configPath('user-dict.txt'), 'utf8').split(/\r?\n/)) {
        const [word, , tag] = line.trim().split(/\s+/);
        if (word && tag === 'ns') this.stop.add(word);
      }
    } catch {
      /* optional */
    }
    this.topics.forEach((t, i) => {
      for (const kw of t.keywords) this.addKeyword(kw, i);
    });
    for (const [ch, node] of this.root.next) this.first[ch] = node;
    this.scratchScores = new Float64Array(this.topics.length);
    this.scratchConf = new Float64Array(this.topics.length);
    try {
      const d = JSON.parse(readFileSync(configPath('departments.json'), 'utf8')) as { departments: Array<{ code: string; name: string; aliases?: string[] }> };
      for (const x of d.departments) {
        this.deptNames.set(x.code, x.name);
        for (const a of [x.name, ...(x.aliases ?? [])]) if (a.length >= 2) this.deptAliases.push([a, x.code]);
      }
    } catch {
      /* names are optional */
    }
  }

  /** Token profiles for the fallback: IDF over topics, so tokens shared by many topics count little. */
  private get tokenTopics(): Map<string, Map<number, number>> {
    if (this.tokenTopicsCache) return this.tokenTopicsCache;
    const out = new Map<string, Map<number, number>>();
    const df = new Map<string, Set<number>>();
    this.topics.forEach((t, i) => {
      for (const kw of t.keywords) for (const tok of this.tokens(kw)) (df.get(tok) ?? df.set(tok, new Set()).get(tok)!).add(i);
    });
    for (const [tok, set] of df) {
      // only tokens specific to one or two topics take part (generic verbs like 占用/申请 do not)
      if (set.size > 2) continue;
      const idf = Math.log((this.topics.length + 1) / set.size);
      out.set(tok, new Map([...set].map((i) => [i, idf])));
    }
    return (this.tokenTopicsCache = out);
  }

  private addKeyword(kw: string, topic: number): void {
    const w = kw.trim();
    if (!w) return;
    let node = this.root;
    for (let k = 0; k < w.length; k++) {
      const ch = w.charCodeAt(k);
      let n = node.next.get(ch);
      if (!n) node.next.set(ch, (n = { next: new Map() }));
      node = n;
    }
    const len = [...w].length;
    // the tiny length term breaks ties in favour of the longer (more specific) phrase
    (node.hits ??= []).push({ topic, weight: STRONG + 0.25 * Math.max(0, len - 2) + 0.001 * len, len });
  }

  /** jieba tokens without stop words, punctuation, digits or single characters. */
  tokens(text: string): string[] {
    const out: string[] = [];
    for (const tok of jieba().cut(text, false)) {
      const w = tok.trim();
      if (w.length < 2 || this.stop.has(w) || /^[\d\p{P}\s\w]+$/u.test(w) || PLACE_SUFFIX.test(w)) continue;
      out.push(w);
    }
    return out;
  }

  /** Keyword scores of one clause. */
  scoreClause(clause: string): ClauseScore {
    const scores = new Float64Array(this.topics.length);
    const best = this.scoreInto(clause, 0, clause.length, scores);
    return { clause, scores, best, bestScore: best < 0 ? 0 : scores[best] };
  }

  /**
   * Puts the keyword weights of the clause `text[from, to)` into `scores` (zeroed first) and returns the best topic
   * (-1: none); the lowest index wins a tie. The hot loop of a run: one array lookup per character for the first
   * keyword character, and no allocation (a run calls it about 600,000 times per 250,000 tickets).
   */
  private scoreInto(clause: string, from: number, n: number, scores: Float64Array): number {
    scores.fill(0);
    let i = from;
    while (i < n) {
      // longest keyword starting at i
      let node: TrieNode | null | undefined = this.first[clause.charCodeAt(i)];
      if (!node) {
        i++;
        continue;
      }
      let bestLen = node.hits ? 1 : 0;
      let bestHits = node.hits;
      for (let j = i + 1; j < n; j++) {
        node = node.next.get(clause.charCodeAt(j));
        if (!node) break;
        if (node.hits) {
          bestLen = j - i + 1;
          bestHits = node.hits;
        }
      }
      if (bestHits) {
        for (let k = 0; k < bestHits.length; k++) scores[bestHits[k].topic] += bestHits[k].weight;
        i += bestLen;
      } else i++;
    }
    let best = -1;
    let bestScore = 0;
    for (let t = 0; t < scores.length; t++)
      if (scores[t] > bestScore) {
        bestScore = scores[t];
        best = t;
      }
    return best;
  }

  /** Fallback for a clause without keywords: IDF-weighted token overlap with each topic's segmented keywords. */
  private fallback(tokens: string[]): { topic: number; score: number } | undefined {
    const toks = new Set(tokens);
    const acc = new Map<number, { s: number; n: number }>();
    for (const tok of toks) {
      const m = this.tokenTopics.get(tok);
      if (!m) continue;
      for (const [t, w] of m) {
        const a = acc.get(t) ?? { s: 0, n: 0 };
        a.s += w;
        a.n++;
        acc.set(t, a);
      }
    }
    let best: { topic: number; score: number } | undefined;
    for (const [t, a] of acc) if (a.n >= 2 && a.s >= 3 && (!best || a.s > best.score)) best = { topic: t, score: a.s };
    return best;
  }

  /**
   * True when words (an emerging cluster's keywords) are a taxonomy topic under another name: the model tags them,
   * or two of them are tokens specific to the same topic.
   */
  resemblesTaxonomy(words: string[]): boolean {
    if (this.analyse(words.join('，')).topics.length || this.scoreClause(words.join('')).bestScore >= 1) return true;
    const hits = new Map<number, number>();
    for (const w of new Set(words.flatMap((x) => [x, ...this.tokens(x)]))) {
      for (const t of this.tokenTopics.get(w)?.keys() ?? []) hits.set(t, (hits.get(t) ?? 0) + 1);
    }
    return [...hits.values()].some((n) => n >= 2);
  }

  /**
   * Per-clause topic decisions: the clauses that carry no topic are returned too (for emerging clusters), with their
   * tokens (`unmatchedTokens[i]` = `tokens(unmatched[i])`, already computed by the fallback).
   * `topics` strongest first (ties: first found first); `confidences` topic → its best clause score.
   */
  analyse(text: string): { topics: number[]; confidences: Map<number, number>; unmatched: string[]; unmatchedTokens: string[][] } {
    const scores = this.scratchScores;
    const conf = this.scratchConf.fill(0); // 0 = not found yet (a confidence is always > 0)
    const order: number[] = [];
    const unmatched: string[] = [];
    const unmatchedTokens: string[][] = [];
    const put = (t: number, c: number) => {
      if (conf[t] === 0) order.push(t);
      if (c > conf[t]) conf[t] = c;
    };
    const bounds = this.scratchBounds;
    bounds.length = 0;
    clauseBounds(text, bounds);
    for (let k = 0; k < bounds.length; k += 2) {
      const best = this.scoreInto(text, bounds[k], bounds[k + 1], scores);
      const bestScore = best < 0 ? 0 : scores[best];
      if (bestScore >= 1) {
        put(best, bestScore);
        // a second topic of the clause must score >= 2 on its own, so only a best score >= 2 can have one
        if (bestScore >= 2) for (let t = 0; t < scores.length; t++) if (t !== best && scores[t] >= 2 && scores[t] >= 0.8 * bestScore) put(t, scores[t]);
        continue;
      }
      const clause = text.slice(bounds[k], bounds[k + 1]);
      const toks = this.tokens(clause);
      const fb = this.fallback(toks);
      if (fb) put(fb.topic, fb.score / 3);
      else {
        unmatched.push(clause);
        unmatchedTokens.push(toks);
      }
    }
    const confidences = new Map<number, number>();
    for (const t of order) confidences.set(t, conf[t]);
    const topics = order.length > 1 ? order.sort((a, b) => confidences.get(b)! - confidences.get(a)!) : order;
    return { topics, confidences, unmatched, unmatchedTokens };
  }

  /** Topic keys a ticket text carries (0..n), strongest first. */
  tag(content: string): string[] {
    return this.analyse(content).topics.map((i) => this.topics[i].key);
  }

  /** Ranked topics and responsible departments for a text, with confidences in (0,1]. */
  suggest(content: string): DispatchSuggestion {
    // Score the whole text too, so a short phrase typed so far still ranks several candidates.
    const whole = this.scoreClause(content ?? '');
    const { confidences } = this.analyse(content ?? '');
    const raw = new Map<number, number>();
    for (let t = 0; t < whole.scores.length; t++) if (whole.scores[t] > 0) raw.set(t, whole.scores[t] * 0.5);
    for (const [t, c] of confidences) raw.set(t, (raw.get(t) ?? 0) + c * 2);
    const total = [...raw.values()].reduce((a, b) => a + b, 0);
    const topics = [...raw.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([t, v]) => ({ key: this.topics[t].key, label: this.topics[t].label, confidence: round(Math.min(1, v / Math.max(total, 2.5))) }));
    const dep = new Map<string, number>();
    for (const t of topics) {
      const code = this.topics.find((x) => x.key === t.key)!.departmentCode;
      dep.set(code, (dep.get(code) ?? 0) + t.confidence);
    }
    for (const [alias, code] of this.deptAliases) if ((content ?? '').includes(alias)) dep.set(code, Math.max(dep.get(code) ?? 0, 0) + 0.3);
    const departments = [...dep.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([code, c]) => ({ code, name: this.deptNames.get(code) ?? code, confidence: round(Math.min(1, c)) }));
    return { topics, departments };
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

let modelSingleton: TopicModel | undefined;

/** The process-wide model (taxonomy, trie and jieba are built once). */
export function topicModel(): TopicModel {
  return (modelSingleton ??= new TopicModel());
}
