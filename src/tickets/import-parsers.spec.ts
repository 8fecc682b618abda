import { CsvParser, NdjsonParser, ParsedRecord } from './import-parsers';

function run(p: { push(t: string, o: ParsedRecord[]): void; end(o: ParsedRecord[]): void }, chunks: string[]): ParsedRecord[] {
  const out: ParsedRecord[] = [];
  for (const c of chunks) p.push(c, out);
  p.end(out);
  return out;
}

/** Every way of cutting `s` into two chunks must parse the same. */
function allSplits(s: string, make: () => CsvParser | NdjsonParser): ParsedRecord[][] {
  const res: ParsedRecord[][] = [];
  for (let i = 0; i <= s.length; i++) res.push(run(make(), [s.slice(0, i), s.slice(i)]));
  return res;
}

describe('CsvParser', () => {
  const csv = 'ticketNo,content,street\r\nA1,"a, b",德胜\r\nA2,"line1\r\nline2 ""q""",\r\n\r\nA3,plain,牛街';

  it('handles quoted commas, escaped quotes, newlines inside quotes, CRLF and blank lines at any chunk boundary', () => {
    for (const out of allSplits(csv, () => new CsvParser(1000))) {
      expect(out).toEqual([
        { line: 2, values: { ticketNo: 'A1', content: 'a, b', street: '德胜' } },
        { line: 3, values: { ticketNo: 'A2', content: 'line1\r\nline2 "q"' } },
        { line: 6, values: { ticketNo: 'A3', content: 'plain', street: '牛街' } },
      ]);
    }
  });

  it('reports an over-long record once and keeps going without holding it', () => {
    const big = 'x'.repeat(5000);
    const out = run(new CsvParser(100), ['a,b\n1,', big.slice(0, 2500), big.slice(2500), '\n2,ok\n']);
    expect(out).toEqual([{ line: 2, error: 'record longer than 100 characters' }, { line: 3, values: { a: '2', b: 'ok' } }]);
  });

  it('reports a wrong field count and an unterminated quote', () => {
    expect(run(new CsvParser(100), ['a,b\n1,2,3\n4,"open'])).toEqual([
      { line: 2, error: 'expected 2 fields, found 3' },
      { line: 3, error: 'unterminated quoted field at end of file' },
    ]);
  });
});

describe('NdjsonParser', () => {
  it('splits lines across chunks, ignores blank lines, accepts CRLF and reports bad JSON by line', () => {
    const s = '{"a":1}\r\n\n[1]\n{bad\n{"b":"x"}';
    for (const out of allSplits(s, () => new NdjsonParser(100))) {
      expect(out).toEqual([
        { line: 1, values: { a: 1 } },
        { line: 3, error: 'line is not a JSON object' },
        { line: 4, error: 'line is not valid JSON' },
        { line: 5, values: { b: 'x' } },
      ]);
    }
  });

  it('skips an over-long line without buffering it', () => {
    const out = run(new NdjsonParser(50), ['{"a":"', 'y'.repeat(100), 'y'.repeat(100), '"}\n{"ok":true}\n']);
    expect(out).toEqual([{ line: 1, error: 'line longer than 50 characters' }, { line: 2, values: { ok: true } }]);
  });
});
