import type { Namespace } from 'socket.io';
import { QaEmitter } from './qa-emitter';

describe('QaEmitter throttles', () => {
  const sent: Array<[string, string, unknown]> = [];
  const room = (name: string) => ({ emit: (e: string, p: unknown) => sent.push([name, e, p]) });
  const nsp = { to: room, local: { to: room }, adapter: { rooms: new Map([['session:7', new Set(['a', 'b', 'c'])]]) } } as unknown as Namespace;
  let em: QaEmitter;

  beforeEach(() => {
    jest.useFakeTimers();
    sent.length = 0;
    em = new QaEmitter();
    em.attach(nsp, false);
  });
  afterEach(() => {
    em.onModuleDestroy();
    jest.useRealTimers();
  });

  it('sends the first upvote at once and coalesces a burst into one message with the latest count', () => {
    for (let i = 1; i <= 50; i++) em.upvoted(7, 3, i);
    expect(sent).toEqual([['session:7', 'question:upvoted', { questionId: 3, upvotes: 1 }]]);
    jest.advanceTimersByTime(999);
    expect(sent).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(sent).toEqual([
      ['session:7', 'question:upvoted', { questionId: 3, upvotes: 1 }],
      ['session:7', 'question:upvoted', { questionId: 3, upvotes: 50 }],
    ]);
  });

  it('sends viewers:count at most once a second per session', async () => {
    for (let i = 0; i < 20; i++) {
      em.viewersChanged(7);
      jest.advanceTimersByTime(100);
      await Promise.resolve();
    }
    await jest.advanceTimersByTimeAsync(1000);
    const counts = sent.filter(([, e]) => e === 'viewers:count');
    expect(counts.length).toBeGreaterThanOrEqual(2);
    expect(counts.length).toBeLessThanOrEqual(3);
    expect(counts[0]).toEqual(['session:7', 'viewers:count', { sessionId: 7, count: 3 }]);
  });
});
