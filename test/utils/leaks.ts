/**
 * Personal-data leak scanner for everything the public can see: anonymous REST answers, payloads sent to
 * anonymous (viewer/watcher) sockets, and the server's log. A leak is an 11-digit mainland mobile number
 * or the full name of a caller/applicant (the masked form 王** is fine).
 */

/** 11-digit mainland mobile numbers not part of a longer digit run. */
export function findPhones(text: string): string[] {
  return text.match(/(?<!\d)1[3-9]\d{9}(?!\d)/g) ?? [];
}

/**
 * Whether a stored caller/applicant name is specific enough to look for: 2–8 Han characters (王小明, 欧阳·娜娜),
 * or Latin-script words with a space, 5+ letters in all (Zhang Wei). Random fuzz strings like "a" or "id" would
 * match everywhere and say nothing.
 */
export function isScannableName(raw: string): boolean {
  const s = raw.trim();
  if (s.includes('*')) return false;
  if (/^[\p{Script=Han}·]{2,8}$/u.test(s)) return true;
  return /^[\p{L}][\p{L}'.-]*(?: [\p{L}][\p{L}'.-]*)+$/u.test(s) && s.replace(/[^\p{L}]/gu, '').length >= 5;
}

/** A set of full names indexed by first character, so one pass over a large text finds them all. */
export class NameIndex {
  private readonly byFirst = new Map<string, Set<string>>();
  size = 0;

  add(raw: unknown): void {
    if (typeof raw !== 'string' || !isScannableName(raw)) return;
    const name = raw.trim();
    const first = name[0];
    let set = this.byFirst.get(first);
    if (!set) this.byFirst.set(first, (set = new Set()));
    if (!set.has(name)) {
      set.add(name);
      this.size++;
    }
  }

  /** Names of the index that occur in `text`. */
  find(text: string): string[] {
    const hits = new Set<string>();
    if (!this.size) return [];
    for (let i = 0; i < text.length; i++) {
      const set = this.byFirst.get(text[i]);
      if (!set) continue;
      for (const n of set) if (!hits.has(n) && text.startsWith(n, i)) hits.add(n);
    }
    return [...hits];
  }
}

export interface Leak {
  where: string;
  kind: 'phone' | 'name';
  /** Masked, so the test output does not repeat the personal data. */
  sample: string;
}

const maskSample = (s: string, kind: Leak['kind']) => (kind === 'phone' ? `${s.slice(0, 3)}****${s.slice(-4)}` : `${Array.from(s)[0]}**`);

/** Every phone number and indexed full name in `text`. */
export function findLeaks(where: string, text: string, names: NameIndex): Leak[] {
  return [
    ...findPhones(text).map((p) => ({ where, kind: 'phone' as const, sample: maskSample(p, 'phone') })),
    ...names.find(text).map((n) => ({ where, kind: 'name' as const, sample: maskSample(n, 'name') })),
  ];
}

/** Collects public traffic during a suite; `leaks()` scans it against the names known at the end. */
export class LeakRecorder {
  readonly names = new NameIndex();
  private readonly seen: Array<{ where: string; text: string }> = [];
  private bytes = 0;
  /** How many anonymous REST answers and anonymous-socket packets were recorded. */
  readonly stats = { restAnswers: 0, socketPackets: 0 };
  /** Found at record time (phones need no names). */
  private readonly early: Leak[] = [];

  record(kind: 'rest' | 'socket', where: string, text: string): void {
    if (kind === 'rest') this.stats.restAnswers++;
    else this.stats.socketPackets++;
    // Phones are scanned at once; text is kept for the name scan at the end (bounded: huge bodies are scanned now).
    this.early.push(...findLeaks(where, text, this.names));
    if (this.bytes + text.length > 256 * 1024 * 1024) return;
    this.bytes += text.length;
    this.seen.push({ where, text });
  }

  leaks(): Leak[] {
    const out = this.early.filter((l) => l.kind === 'phone');
    const byKey = new Set(out.map((l) => `${l.where}|${l.sample}`));
    for (const l of this.early.filter((x) => x.kind === 'name')) if (!byKey.has(`${l.where}|${l.sample}`)) (out.push(l), byKey.add(`${l.where}|${l.sample}`));
    for (const s of this.seen) {
      for (const n of this.names.find(s.text)) {
        const l: Leak = { where: s.where, kind: 'name', sample: maskSample(n, 'name') };
        if (!byKey.has(`${l.where}|${l.sample}`)) (out.push(l), byKey.add(`${l.where}|${l.sample}`));
      }
    }
    return out;
  }
}
