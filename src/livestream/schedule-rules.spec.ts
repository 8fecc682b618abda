import { Appointment, findClash, LivestreamFile } from './schedule-rules';

const file: LivestreamFile = { weeklySlots: [{ weekday: 2, start: '15:00', end: '17:00' }], holidays: ['2026-12-29'] };
const at = (s: string) => new Date(`${s}+08:00`);
const sess = (id: number | null, leaders: number[], from: string, to: string): Appointment => ({ kind: 'session', id, label: `s${id}`, leaderIds: leaders, startsAt: at(from), endsAt: at(to) });
const opts = (rooms = 1) => ({ rooms, file, isHoliday: (d: string) => d === '2026-10-01', leaderName: (id: number) => `L${id}` });

describe('findClash', () => {
  it('accepts a session inside a weekly slot, touching neighbours', () => {
    const a = sess(1, [1], '2026-12-01T15:00:00', '2026-12-01T16:00:00');
    expect(findClash(sess(null, [1], '2026-12-01T16:00:00', '2026-12-01T17:00:00'), [a], opts())).toBeNull();
  });
  it('names the double-booked leader and the session', () => {
    const a = sess(7, [1, 2], '2026-12-01T15:00:00', '2026-12-01T16:00:00');
    expect(findClash(sess(null, [2], '2026-12-01T15:30:00', '2026-12-01T16:30:00'), [a], opts(5))).toMatch(/leader 2 \(L2\).*session 7/);
  });
  it('counts rooms at the busiest instant', () => {
    const a = sess(1, [1], '2026-12-01T15:00:00', '2026-12-01T15:30:00');
    const b = sess(2, [2], '2026-12-01T16:00:00', '2026-12-01T16:30:00');
    const c = sess(null, [3], '2026-12-01T15:00:00', '2026-12-01T17:00:00');
    expect(findClash(c, [a, b], opts(2))).toBeNull();
    expect(findClash(c, [a, b], opts(1))).toMatch(/no free livestream room.*session 1/);
    const d = sess(3, [4], '2026-12-01T15:10:00', '2026-12-01T15:20:00');
    expect(findClash(c, [a, b, d], opts(2))).toMatch(/no free livestream room/);
  });
  it('refuses sessions outside the slots, across midnight, and on holidays of both calendars', () => {
    expect(findClash(sess(null, [], '2026-12-01T14:30:00', '2026-12-01T15:30:00'), [], opts())).toMatch(/outside the weekly/);
    expect(findClash(sess(null, [], '2026-12-02T15:00:00', '2026-12-02T16:00:00'), [], opts())).toMatch(/outside the weekly/);
    expect(findClash(sess(null, [], '2026-12-29T15:00:00', '2026-12-29T16:00:00'), [], opts())).toMatch(/holiday \(2026-12-29\)/);
    expect(findClash(sess(null, [], '2026-10-01T15:00:00', '2026-10-01T16:00:00'), [], opts())).toMatch(/holiday \(2026-10-01\)/);
  });
  it('applies the leader rule between duty shifts and sessions, but no slot or room rule to shifts', () => {
    const a = sess(4, [9], '2026-12-01T15:00:00', '2026-12-01T16:00:00');
    const shift: Appointment = { kind: 'shift', id: null, label: 'duty', leaderIds: [9], startsAt: at('2026-12-01T08:00:00'), endsAt: at('2026-12-01T15:01:00') };
    expect(findClash(shift, [a], opts())).toMatch(/leader 9.*session 4/);
    expect(findClash({ ...shift, leaderIds: [8] }, [a], opts())).toBeNull();
  });
});
