import { describe, expect, it } from 'vitest';
import { forEachInSlices, SliceClock } from '../../src/event-loop-slices.js';

/** Busy-waits `ms` of wall time: a slice's worth of synchronous work. */
function work(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spinning on purpose
  }
}

/**
 * Issue 14, item 3: bulk work on the thread that acks Slack runs in slices, one slice per turn of the event loop
 * across every loop in the thread, so a socket read waits for one slice, not for one slice of each loop.
 */
describe('slices of bulk work on the event loop', () => {
  it('runs one slice per turn across loops, taking turns, so a timer waits for at most one slice', async () => {
    const order: string[] = [];
    // An immediate that queues itself again runs once per turn: the slices that ran between two of its runs are
    // the slices that shared a turn.
    const slicesPerTurn: number[] = [];
    let thisTurn = 0;
    let ticking = true;
    const tick = () => {
      slicesPerTurn.push(thisTurn);
      thisTurn = 0;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const loop = (name: string) =>
      forEachInSlices(
        Array.from({ length: 12 }, (_, i) => i),
        () => {
          work(1);
          order.push(name);
          thisTurn += 1;
        },
        1,
      );
    await Promise.all([loop('a'), loop('b'), loop('c')]);
    ticking = false;

    expect(order).toHaveLength(36);
    // Taking turns: no loop ran twice while another was waiting, until the others had finished.
    for (let i = 0; i + 2 < 30; i += 3) expect(new Set(order.slice(i, i + 3)).size).toBe(3);
    // A 1 ms budget holds one 1 ms item: one item per turn, never one of each loop (3) in the same turn.
    // Each loop's first slice runs when it is called, before any turn; after that, one slice per turn.
    expect(slicesPerTurn[0]).toBe(3);
    expect(Math.max(...slicesPerTurn.slice(1))).toBe(1);
  });

  it('lets socket reads and timers run between slices', async () => {
    const clock = new SliceClock(1);
    let timerRan = false;
    setTimeout(() => void (timerRan = true), 0);
    work(2);
    expect(clock.spent()).toBe(true);
    await clock.next();
    // The timer was due before the yield; the slice resumes after the turn's timers.
    expect(timerRan).toBe(true);
    expect(clock.spent()).toBe(false);
  });
});
