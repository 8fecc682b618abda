import { CalendarService } from '../calendar/calendar.service';
import { QueryCodes } from './query-code';
import { allowedNext, APPLICATION_STATUSES, canTransition, formatReceiptNo, isOverdue, maskFreeText, parseRating, RECEIPT_RE } from './window-rules';

describe('window rules', () => {
  it('allows exactly the contract transitions', () => {
    const ok = new Set(['accepted>under_review', 'under_review>needs_supplement', 'under_review>completed', 'under_review>rejected', 'needs_supplement>under_review']);
    for (const a of APPLICATION_STATUSES) for (const b of APPLICATION_STATUSES) expect(canTransition(a, b)).toBe(ok.has(`${a}>${b}`));
    expect(allowedNext('completed')).toEqual([]);
  });

  it('reads ratings as numbers or Chinese words', () => {
    expect(parseRating(5)).toBe(5);
    expect(parseRating('非常不满意')).toBe(1);
    expect(parseRating('基本满意')).toBe(3);
    expect(parseRating(0)).toBeUndefined();
    expect(parseRating('5')).toBeUndefined();
    expect(parseRating(4.5)).toBeUndefined();
  });

  it('keeps overdue once set and stops the clock at finish', () => {
    const due = new Date('2026-10-10T10:00:00Z');
    expect(isOverdue({ overdue: false, dueAt: due, finishedAt: null }, new Date('2026-10-10T09:59:00Z'))).toBe(false);
    expect(isOverdue({ overdue: false, dueAt: due, finishedAt: null }, new Date('2026-10-10T10:01:00Z'))).toBe(true);
    expect(isOverdue({ overdue: false, dueAt: due, finishedAt: new Date('2026-10-09T00:00:00Z') }, new Date('2026-12-01T00:00:00Z'))).toBe(false);
    expect(isOverdue({ overdue: true, dueAt: due, finishedAt: new Date('2026-10-09T00:00:00Z') }, new Date('2026-10-01T00:00:00Z'))).toBe(true);
  });

  it('masks phones and the applicant name in free text', () => {
    expect(maskFreeText('请王小明致电13812345678或010-66123456', '王小明')).toBe('请王**致电138****5678或010-66123456');
    expect(maskFreeText(null)).toBeNull();
  });

  it('formats readable receipt numbers', () => {
    expect(formatReceiptNo('20261128', 'city', 7)).toBe('20261128-city-0007');
    expect(RECEIPT_RE.test('20261128-major_projects-0012')).toBe(true);
  });

  it('checks query codes by salted HMAC only', () => {
    const c = new QueryCodes('secret');
    const g = c.generate();
    expect(g.code).toMatch(/^\d{6}$/);
    expect(g.hash).not.toContain(g.code);
    expect(c.verify({ salt: g.salt, hash: g.hash }, g.code)).toBe(true);
    expect(c.verify({ salt: g.salt, hash: g.hash }, g.code === '000000' ? '000001' : '000000')).toBe(false);
    expect(c.verify(undefined, g.code)).toBe(false);
    expect(new QueryCodes('other').verify({ salt: g.salt, hash: g.hash }, g.code)).toBe(false);
  });

  it('counts promised days on the district calendar (National Day and make-up Saturday)', () => {
    const cal = new CalendarService();
    // Accepted Wed 2026-09-30; 10-01..07 off; 10-08, 10-09 and the make-up Saturday 10-10 count → due 10-10 18:00 +08.
    expect(cal.addWorkingDays(new Date('2026-09-30T02:00:00Z'), 3).toISOString()).toBe('2026-10-10T10:00:00.000Z');
    // Friday → Monday across a weekend.
    expect(cal.addWorkingDays(new Date('2026-11-27T02:00:00Z'), 1).toISOString()).toBe('2026-11-30T10:00:00.000Z');
  });
});
