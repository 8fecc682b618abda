import { CalendarService } from './calendar.service';
import { previousQuarter, quarterOf, quarterRange } from './quarter';

describe('district calendar', () => {
  const cal = new CalendarService();
  const at = (s: string) => new Date(s);

  it('knows weekends, holidays and make-up working days', () => {
    expect(cal.isWorkingDay('2026-11-27')).toBe(true); // Friday
    expect(cal.isWorkingDay('2026-11-28')).toBe(false); // Saturday
    expect(cal.isWorkingDay('2026-10-01')).toBe(false); // National Day
    expect(cal.isWorkingDay('2026-10-10')).toBe(true); // make-up Saturday
  });

  it('counts working days across a weekend and the National Day holiday', () => {
    // Accepted Wed 30 Sep 2026, 3 working days: 1–7 Oct off, 8 Oct (Thu), 9 Oct (Fri), 10 Oct (make-up Sat).
    expect(cal.addWorkingDays(at('2026-09-30T10:00:00+08:00'), 3).toISOString()).toBe(at('2026-10-10T18:00:00+08:00').toISOString());
    // Friday + 1 working day → Monday close of business.
    expect(cal.addWorkingDays(at('2026-11-27T16:00:00+08:00'), 1).toISOString()).toBe(at('2026-11-30T18:00:00+08:00').toISOString());
  });

  it('counts working hours within the working day', () => {
    expect(cal.addWorkingHours(at('2026-11-27T17:00:00+08:00'), 2).toISOString()).toBe(at('2026-11-30T10:00:00+08:00').toISOString());
    expect(cal.addWorkingHours(at('2026-11-26T20:00:00+08:00'), 1).toISOString()).toBe(at('2026-11-27T10:00:00+08:00').toISOString());
  });

  it('writes quarters in the district time zone', () => {
    expect(quarterOf(at('2026-06-30T23:30:00+08:00'))).toBe('2026Q2');
    expect(quarterOf(at('2026-06-30T16:30:00Z'))).toBe('2026Q3'); // 00:30 on 1 July in Beijing
    expect(quarterRange('2026Q4').from.toISOString()).toBe('2026-09-30T16:00:00.000Z');
    expect(previousQuarter('2026Q1')).toBe('2025Q4');
  });
});
