import { buildIcs, fold, parseIcs } from './ics';

describe('buildIcs', () => {
  const base = {
    uid: 'session-5@zhengmin-hub',
    sequence: 3,
    start: new Date('2026-12-01T07:00:00Z'),
    end: new Date('2026-12-01T08:00:00Z'),
    stamp: new Date('2026-11-28T02:00:00Z'),
    summary: '政民互动直播：供暖, 物业; 停车'.repeat(4),
    organizer: { name: '政民互动中心', email: 'hub@x.example' },
    attendees: [{ name: '张三主任', email: 'z@x.example' }],
  };

  it('writes local times with the zone, folds long lines at 75 octets and round-trips', () => {
    const ics = buildIcs({ ...base, method: 'REQUEST' });
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const p = parseIcs(ics);
    expect(p.METHOD).toEqual(['REQUEST']);
    expect(p.DTSTART).toContain('TZID=Asia/Shanghai:20261201T150000');
    expect(p.DTSTAMP).toEqual(['20261128T020000Z']);
    expect(p.SEQUENCE).toEqual(['3']);
    expect(p.SUMMARY[0]).toBe(base.summary.replace(/,/g, '\\,').replace(/;/g, '\\;'));
    expect(p.BEGIN).toEqual(['VCALENDAR', 'VTIMEZONE', 'STANDARD', 'VEVENT', 'VALARM']);
  });

  it('cancels with METHOD:CANCEL and STATUS:CANCELLED, without an alarm', () => {
    const p = parseIcs(buildIcs({ ...base, method: 'CANCEL' }));
    expect(p.METHOD).toEqual(['CANCEL']);
    expect(p.STATUS).toEqual(['CANCELLED']);
    expect(p.BEGIN).not.toContain('VALARM');
  });

  it('never splits a UTF-8 character when folding', () => {
    const folded = fold('X'.repeat(74) + '热线');
    expect(folded.split('\r\n ').join('')).toBe('X'.repeat(74) + '热线');
  });
});
