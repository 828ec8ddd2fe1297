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
    expect(waits).toEqual([750]);
    acksDone();
    await done;
    expect(ran).toBe(true);
  });
});
