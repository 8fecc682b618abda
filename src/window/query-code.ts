import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * The applicant's 6-digit query code: shown once, stored only as HMAC-SHA256(pepper, salt + code) with a
 * per-row random salt. The pepper is a server secret, so a leaked table alone does not let anyone try the
 * 10^6 codes offline. Verification always does one HMAC and one constant-time compare, also for unknown
 * receipts (against a dummy), so the two cases take the same time.
 */
export class QueryCodes {
  private readonly pepper: Buffer;
  private readonly dummySalt = randomBytes(16).toString('hex');
  private readonly dummyHash: string;

  constructor(secret: string) {
    this.pepper = createHmac('sha256', secret).update('window-query-code').digest();
    this.dummyHash = this.hash(this.dummySalt, '000000');
  }

  generate(): { code: string; salt: string; hash: string } {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const salt = randomBytes(16).toString('hex');
    return { code, salt, hash: this.hash(salt, code) };
  }

  hash(salt: string, code: string): string {
    return createHmac('sha256', this.pepper).update(`${salt}:${code}`).digest('hex');
  }

  /** True only for a stored row whose hash matches; `row` undefined → a dummy compare, false. */
  verify(row: { salt: string; hash: string } | undefined, code: string): boolean {
    const salt = row?.salt ?? this.dummySalt;
    const expected = Buffer.from(row?.hash ?? this.dummyHash, 'hex');
    const got = Buffer.from(this.hash(salt, typeof code === 'string' ? code : ''), 'hex');
    const same = expected.length === got.length && timingSafeEqual(expected, got);
    return !!row && same;
  }
}
