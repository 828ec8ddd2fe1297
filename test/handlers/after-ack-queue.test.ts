import { describe, expect, it } from 'vitest';
import { AfterAckQueue } from '../../handlers/after-ack-queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('AfterAckQueue', () => {
  it('never starts work in the same turn of the event loop as the ack', async () => {
    const queue = new AfterAckQueue({ concurrency: 4 });
    const order: string[] = [];
    const done = queue.run(async () => void order.push('work'));
    order.push('ack');
    await done;
    expect(order).toEqual(['ack', 'work']);
  });

  it('runs at most `concurrency` follow-ups at once and starts the next as one finishes', async () => {
    const queue = new AfterAckQueue({ concurrency: 2 });
    const gates = [deferred(), deferred(), deferred()];
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const runs = gates.map((gate, index) =>
      queue.run(async () => {
        started.push(index);
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
        return index;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect(queue.queued).toBe(1);
    gates[0]!.resolve();
    await runs[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    gates[1]!.resolve();
    gates[2]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(peak).toBe(2);
    expect(queue.queued).toBe(0);
  });

  it('passes a failure to its caller and frees the slot', async () => {
    const queue = new AfterAckQueue({ concurrency: 1 });
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(queue.run(async () => 'next')).resolves.toBe('next');
  });

  it('waits for pending acks before it runs follow-up work, at most the given time', async () => {
    let acksDone!: () => void;
    const waits: number[] = [];
    const queue = new AfterAckQueue({
      maxAckWaitMs: 750,
      whenAcksDone: (maxWaitMs) => {
        waits.push(maxWaitMs);
        return new Promise<void>((resolve) => (acksDone = resolve));
      },
    });
    let ran = false;
    const done = queue.run(async () => {
      ran = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toBe(false);
    // What is left of the 750 ms since `run` was called.
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThanOrEqual(750);
    expect(waits[0]).toBeGreaterThan(500);
    acksDone();
    await done;
    expect(ran).toBe(true);
  });

  it('a follow-up that waited for a slot waits again for acks that came in meanwhile, within its deadline', async () => {
    const gate = deferred();
    let acksPending = false;
    let acksDone: (() => void) | undefined;
    const waits: number[] = [];
    const queue = new AfterAckQueue({
      concurrency: 1,
      maxAckWaitMs: 10_000,
      whenAcksDone: (maxWaitMs) => {
        if (!acksPending) return Promise.resolve();
        waits.push(maxWaitMs);
        return new Promise<void>((resolve) => (acksDone = resolve));
      },
    });
    const order: string[] = [];
    const first = queue.run(async () => {
      order.push('first');
      await gate.promise;
    });
    const second = queue.run(async () => void order.push('second'));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['first']);
    // A new envelope waits for its ack when the slot frees: the second follow-up must not start yet.
    acksPending = true;
    gate.resolve();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['first']);
    expect(waits).toHaveLength(1);
    acksDone?.();
    await second;
    expect(order).toEqual(['first', 'second']);
  });

  it('does not wait for acks again once its deadline has passed', async () => {
    let calls = 0;
    const queue = new AfterAckQueue({
      concurrency: 1,
      maxAckWaitMs: 0,
      whenAcksDone: () => {
        calls += 1;
        return new Promise<void>(() => undefined);
      },
    });
    await expect(queue.run(async () => 'ran')).resolves.toBe('ran');
    expect(calls).toBe(0);
  });
});
