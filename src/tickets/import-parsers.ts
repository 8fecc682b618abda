/**
 * Streaming record parsers for ticket imports. Both keep memory bounded: a line/record longer than
 * `maxChars` is not kept; it is reported once as an over-long record and skipped up to its end.
 */
export interface ParsedRecord {
  /** 1-based physical line where the record starts. */
  line: number;
  values?: Record<string, unknown>;
  error?: string;
}

export interface RecordParser {
  push(text: string, out: ParsedRecord[]): void;
  end(out: ParsedRecord[]): void;
}

/** NDJSON: one JSON object per line; blank lines ignored; CRLF accepted. */
export class NdjsonParser implements RecordParser {
  private buf = '';
  private line = 1;
  private skipping = false;

  constructor(private readonly maxChars: number) {}

  private emit(raw: string, out: ParsedRecord[]): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!text.trim()) return;
    try {
      const v: unknown = JSON.parse(text);
      if (!v || typeof v !== 'object' || Array.isArray(v)) out.push({ line: this.line, error: 'line is not a JSON object' });
      else out.push({ line: this.line, values: v as Record<string, unknown> });
    } catch {
      out.push({ line: this.line, error: 'line is not valid JSON' });
    }
  }

  push(text: string, out: ParsedRecord[]): void {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (this.skipping) this.skipping = false;
      else if (this.buf.length + (nl - start) > this.maxChars) out.push({ line: this.line, error: `line longer than ${this.maxChars} characters` });
      else {
        this.emit(this.buf + text.slice(start, nl), out);
      }
      this.buf = '';
      this.line++;
      start = nl + 1;
    }
    if (this.skipping) return;
    const rest = text.length - start;
    if (this.buf.length + rest > this.maxChars) {
      out.push({ line: this.line, error: `line longer than ${this.maxChars} characters` });
      this.buf = '';
      this.skipping = true;
    } else if (rest > 0) this.buf += text.slice(start);
  }

  end(out: ParsedRecord[]): void {
    if (!this.skipping && this.buf) this.emit(this.buf, out);
    this.buf = '';
  }
}

/**
 * RFC 4180 CSV: header row names the fields; quoted fields may hold commas, quotes ("") and newlines;
 * CRLF or LF; blank lines ignored.
 */
export class CsvParser implements RecordParser {
  private header: string[] | null = null;
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  /** Just saw a quote inside a quoted field: either "" (escaped) or the closing quote. */
  private quotePending = false;
  private line = 1;
  private recordLine = 1;
  private chars = 0;
  private overlong = false;
  private atRecordStart = true;
  /** Characters seen in the current field (kept or not). */
  private fieldChars = 0;

  constructor(private readonly maxChars: number) {}

  private endField(): void {
    this.fields.push(this.overlong ? '' : this.field);
    this.field = '';
    this.fieldChars = 0;
  }

  private endRecord(out: ParsedRecord[]): void {
    this.endField();
    const fields = this.fields;
    const line = this.recordLine;
    const overlong = this.overlong;
    this.fields = [];
    this.chars = 0;
    this.overlong = false;
    this.atRecordStart = true;
    if (fields.length === 1 && fields[0] === '' && !overlong) return; // blank line
    if (!this.header) {
      this.header = fields.map((h) => h.trim());
      return;
    }
    if (overlong) {
      out.push({ line, error: `record longer than ${this.maxChars} characters` });
      return;
    }
    if (fields.length !== this.header.length) {
      out.push({ line, error: `expected ${this.header.length} fields, found ${fields.length}` });
      return;
    }
    const values: Record<string, unknown> = {};
    this.header.forEach((h, i) => {
      if (h && fields[i] !== '') values[h] = fields[i];
    });
    out.push({ line, values });
  }

  private add(s: string): void {
    if (!s) return;
    this.fieldChars += s.length;
    if (this.overlong) return;
    this.chars += s.length;
    if (this.chars > this.maxChars) {
      this.overlong = true;
      this.field = '';
      return;
    }
    this.field += s;
  }

  push(text: string, out: ParsedRecord[]): void {
    let i = 0;
    let start = 0;
    const n = text.length;
    while (i < n) {
      if (this.atRecordStart) {
        this.recordLine = this.line;
        this.atRecordStart = false;
      }
      const c = text.charCodeAt(i);
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === 34) {
            // "" → one quote
            this.add('"');
            this.inQuotes = true;
            i++;
            start = i;
            continue;
          }
          this.inQuotes = false; // closing quote; fall through to unquoted handling of c
        } else {
          if (c === 34) {
            this.add(text.slice(start, i));
            this.quotePending = true;
            i++;
            start = i;
            continue;
          }
          if (c === 10) this.line++;
          i++;
          if (i === n) this.add(text.slice(start, i));
          continue;
        }
      }
      // unquoted
      if (c === 44) {
        this.add(text.slice(start, i));
        this.endField();
        i++;
        start = i;
      } else if (c === 10) {
        let f = text.slice(start, i);
        if (f.endsWith('\r')) f = f.slice(0, -1);
        else if (!f && this.field.endsWith('\r')) this.field = this.field.slice(0, -1);
        this.add(f);
        this.endRecord(out);
        this.line++;
        i++;
        start = i;
      } else if (c === 34 && this.fieldChars === 0 && start === i) {
        this.inQuotes = true;
        i++;
        start = i;
      } else {
        i++;
        if (i === n) this.add(text.slice(start, i));
      }
    }
  }

  end(out: ParsedRecord[]): void {
    if (this.inQuotes && !this.quotePending) {
      if (this.header) out.push({ line: this.recordLine, error: 'unterminated quoted field at end of file' });
      this.fields = [];
      this.field = '';
      return;
    }
    if (!this.atRecordStart || this.field || this.fields.length) {
      if (this.field.endsWith('\r')) this.field = this.field.slice(0, -1);
      this.endRecord(out);
    }
  }
}
