import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { Mint } from 'mint-filter';
import { configPath } from '../common/paths';

/** Everything that may be slipped between the characters of a word: spaces, punctuation, symbols, zero-width, controls. */
const NOISE = /[\p{Z}\p{P}\p{S}\p{Cc}\p{Cf}\s\u3000\u00AD\u034F\u115F\u1160\u17B4\u17B5\u180E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/gu;

/**
 * The one normalization for matching: NFKC (full-width → half-width, compatibility forms), lower case,
 * then drop every space, punctuation, symbol and zero-width character. Words and texts go through it alike.
 */
export function normalizeForMatch(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(NOISE, '');
}

/** Parses the word list: one a line, `#` comments, blanks ignored; normalized and de-duplicated. */
export function parseWordList(content: string): string[] {
  const out = new Set<string>();
  for (const line of content.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const n = normalizeForMatch(t);
    if (n) out.add(n);
  }
  return [...out];
}

/** Chinese sensitive-word filter (mint-filter, Aho–Corasick) over config/sensitive-words.txt, reloaded when the file changes. */
@Injectable()
export class SensitiveWordsService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(SensitiveWordsService.name);
  private mint = new Mint([]);
  private count = 0;
  private readonly file = configPath('sensitive-words.txt');
  private watching = false;

  onModuleInit(): void {
    this.reload();
    try {
      watchFile(this.file, { interval: 2000, persistent: false }, (cur, prev) => {
        if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size) this.reload();
      });
      this.watching = true;
    } catch {
      /* no watching on this platform: the admin endpoint still reloads */
    }
  }

  onModuleDestroy(): void {
    if (this.watching) unwatchFile(this.file);
  }

  /** Reads the list again (a missing or unreadable file keeps the current list). Returns the number of words. */
  reload(): number {
    try {
      this.use(parseWordList(readFileSync(this.file, 'utf8')));
      this.log.log(`sensitive words loaded: ${this.count}`);
    } catch (e) {
      this.log.warn(`sensitive words not reloaded: ${(e as Error).message}`);
    }
    return this.count;
  }

  /** Replaces the list (already-normalized words). */
  use(words: string[]): void {
    this.mint = new Mint(words);
    this.count = words.length;
  }

  get size(): number {
    return this.count;
  }

  /** True when the text holds a listed word, however it is spaced, punctuated or written in full-width forms. */
  contains(text: string): boolean {
    if (!this.count) return false;
    return !this.mint.verify(normalizeForMatch(text));
  }
}
