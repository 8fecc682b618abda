import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Deepest nesting a JSON body may have; deeper bodies are refused before parsing (validation recurses per level). */
export const MAX_JSON_DEPTH = 32;

/** Nesting depth of a JSON text ({ and [ outside strings), stopping early once past `limit`. */
export function jsonDepth(buf: Buffer, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

const refuse = (message: string, type: string) => Object.assign(new Error(message), { status: 400, statusCode: 400, type, expose: true });

/**
 * `verify` hook of the JSON and form body parsers: bytes that are not UTF-8 and JSON nested deeper than
 * MAX_JSON_DEPTH are refused with 400 before parsing, so no text is stored with U+FFFD in place of the
 * bad bytes and no validator recurses thousands of levels deep.
 */
export function verifyBody(_req: IncomingMessage, _res: ServerResponse, buf: Buffer, encoding: string): void {
  if (/^utf-?8$/i.test(encoding) && !isUtf8(buf)) throw refuse('request body is not valid UTF-8', 'encoding.invalid');
  if (jsonDepth(buf, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw refuse(`JSON body nested deeper than ${MAX_JSON_DEPTH} levels`, 'entity.too.deep');
}

/** True when decoded text holds U+FFFD, the replacement for bytes that were not UTF-8. */
export function hasReplacementChar(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('\ufffd');
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (k.includes('\ufffd') || hasReplacementChar(x)) return true;
  }
  return false;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text with an unpaired UTF-16 surrogate (JSON "\ud800"): not Unicode, cannot be stored as UTF-8. */
export function hasLoneSurrogate(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return LONE_SURROGATE.test(v);
  if (v && typeof v === 'object' && depth <= MAX_JSON_DEPTH) {
    for (const [k, x] of Object.entries(v)) if (LONE_SURROGATE.test(k) || hasLoneSurrogate(x, depth + 1)) return true;
  }
  return false;
}

/**
 * Express middleware after the body parsers: a parsed body holding unpaired surrogates is refused with 400
 * (validators such as isEmail throw on them, and the databases would store '?' or fail).
 */
export function refuseIllFormedText(req: { body?: unknown }, _res: unknown, next: (err?: unknown) => void): void {
  if (req.body !== undefined && hasLoneSurrogate(req.body)) return next(refuse('text with an unpaired UTF-16 surrogate (e.g. "\\ud800") is not accepted', 'entity.ill.formed'));
  next();
}

/** Nesting depth of a parsed value (objects and arrays), stopping once past `limit`. */
export function valueDepth(v: unknown, limit = MAX_JSON_DEPTH, depth = 0): number {
  if (!v || typeof v !== 'object') return depth;
  if (depth >= limit) return depth + 1;
  let max = depth + 1;
  for (const x of Object.values(v)) {
    max = Math.max(max, valueDepth(x, limit, depth + 1));
    if (max > limit) break;
  }
  return max;
}

/**
 * Why a socket payload is refused before validation, or null: nested too deep, unpaired surrogates (as for REST
 * bodies), or U+FFFD — what invalid UTF-8 bytes become when a polling request is decoded, so never stored garbled.
 */
export function payloadProblem(v: unknown): string | null {
  if (valueDepth(v) > MAX_JSON_DEPTH) return `payload nested deeper than ${MAX_JSON_DEPTH} levels`;
  if (hasLoneSurrogate(v)) return 'text with an unpaired UTF-16 surrogate (e.g. "\\ud800") is not accepted';
  if (hasReplacementChar(v)) return 'text with U+FFFD (bytes that were not UTF-8) is not accepted';
  return null;
}
