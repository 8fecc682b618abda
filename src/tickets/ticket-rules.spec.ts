import { CalendarService } from '../calendar/calendar.service';
import { Deadlines, normalizePhone, similarity, TRANSITIONS } from './ticket-rules';

describe('ticket rules', () => {
  it('accepts mobiles and landlines, refuses the rest', () => {
    expect(normalizePhone('138 1234 5678')).toBe('13812345678');
    expect(normalizePhone('010-66012345')).toBe('01066012345');
    expect(normalizePhone('66012345')).toBe('66012345');
    for (const bad of ['12345', '12812345678', '1381234567', 'abc', '138123456789', '']) expect(normalizePhone(bad)).toBeUndefined();
  });

  it('scores similar complaints high and different ones low', () => {
    expect(similarity('楼下饭馆油烟扰民严重，晚上十点还在营业', '楼下饭馆油烟扰民严重，晚上十点多还在营业！')).toBeGreaterThanOrEqual(0.5);
    expect(similarity('楼下饭馆油烟扰民严重', '孩子上学派位问题咨询')).toBeLessThan(0.1);
    expect(similarity('', 'abc')).toBe(0);
  });

  it('has the contract state machine', () => {
    expect(TRANSITIONS).toEqual({ received: ['dispatched'], dispatched: ['received', 'in_progress'], in_progress: ['replied'], replied: ['closed', 'in_progress'], closed: [] });
  });

  it('counts due times on the working calendar', () => {
    const d = new Deadlines({ response: { hours: 24 }, states: { received: { workingHours: 2 }, dispatched: { workingDays: 5 } } }, new CalendarService());
    // Friday 17:00 local + 2 working hours → next working day 10:00 (a Monday in a normal week)
    const fri = new Date('2026-03-13T17:00:00+08:00');
    expect(d.dueAt('received', fri)?.toISOString()).toBe(new Date('2026-03-16T10:00:00+08:00').toISOString());
    expect(d.dueAt('closed', fri)).toBeNull();
    expect(d.responseSeconds()).toBe(86400);
  });
});
