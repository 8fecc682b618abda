/**
 * iCalendar (RFC 5545) for livestream invitations: METHOD:REQUEST / METHOD:CANCEL, a stable UID per
 * appointment, SEQUENCE growing with each change, local times with TZID=Asia/Shanghai and its VTIMEZONE.
 */
export interface IcsEvent {
  method: 'REQUEST' | 'CANCEL';
  uid: string;
  sequence: number;
  start: Date;
  end: Date;
  stamp: Date;
  summary: string;
  description?: string;
  location?: string;
  organizer: { name: string; email: string };
  attendees: Array<{ name: string; email: string }>;
}

const TZ_MS = 8 * 3600_000;

function local(d: Date): string {
  return new Date(d.getTime() + TZ_MS).toISOString().replace(/[-:]/g, '').slice(0, 15);
}

function utc(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').slice(0, 15) + 'Z';
}

export function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

function param(s: string): string {
  return `"${s.replace(/"/g, "'")}"`;
}

/** Fold lines at 75 octets without splitting a UTF-8 character. */
export function fold(line: string): string {
  const out: string[] = [];
  let cur = '';
  let bytes = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    const limit = out.length ? 74 : 75;
    if (bytes + n > limit) {
      out.push(cur);
      cur = '';
      bytes = 0;
    }
    cur += ch;
    bytes += n;
  }
  out.push(cur);
  return out.join('\r\n ');
}

export function buildIcs(e: IcsEvent): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'PRODID:-//Zhengmin Hub//Livestream//ZH',
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    `METHOD:${e.method}`,
    'BEGIN:VTIMEZONE',
    'TZID:Asia/Shanghai',
    'X-LIC-LOCATION:Asia/Shanghai',
    'BEGIN:STANDARD',
    'TZOFFSETFROM:+0800',
    'TZOFFSETTO:+0800',
    'TZNAME:CST',
    'DTSTART:19700101T000000',
    'END:STANDARD',
    'END:VTIMEZONE',
    'BEGIN:VEVENT',
    `UID:${e.uid}`,
    `SEQUENCE:${e.sequence}`,
    `DTSTAMP:${utc(e.stamp)}`,
    `DTSTART;TZID=Asia/Shanghai:${local(e.start)}`,
    `DTEND;TZID=Asia/Shanghai:${local(e.end)}`,
    `SUMMARY:${escapeText(e.summary)}`,
    ...(e.description ? [`DESCRIPTION:${escapeText(e.description)}`] : []),
    ...(e.location ? [`LOCATION:${escapeText(e.location)}`] : []),
    `ORGANIZER;CN=${param(e.organizer.name)}:mailto:${e.organizer.email}`,
    ...e.attendees.map(
      (a) => `ATTENDEE;CN=${param(a.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${a.email}`,
    ),
    `STATUS:${e.method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED'}`,
    'TRANSP:OPAQUE',
    ...(e.method === 'REQUEST'
      ? ['BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'TRIGGER:-PT30M', 'END:VALARM']
      : []),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(fold).join('\r\n') + '\r\n';
}

/** Unfolded property lines of an .ics text, for tests and the outbox view. */
export function parseIcs(text: string): Record<string, string[]> {
  const unfolded = text.replace(/\r?\n[ \t]/g, '');
  const out: Record<string, string[]> = {};
  for (const line of unfolded.split(/\r?\n/)) {
    const m = /^([A-Z-]+)((?:;[^:]*)?):(.*)$/.exec(line);
    if (!m) continue;
    (out[m[1]] ??= []).push(m[2] ? `${m[2].slice(1)}:${m[3]}` : m[3]);
  }
  return out;
}
