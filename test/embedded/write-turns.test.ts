import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { WriteTurns } from '../../src/adapters/embedded/write-turns.js';
import { startWorker } from '../../src/worker-threads.js';

/** Blocks this thread for `ms` (a store call that takes that long). */
function busyFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const message = (worker: Worker) =>
  new Promise<unknown>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });

describe('write turns between the bot thread and a background writer', () => {
  it('hold a background writer back while the bot thread is in a store call, and let it go when it leaves', async () => {
    const turns = new WriteTurns();
    const cells = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    const shared = new Int32Array(cells);
    const worker = startWorker(
      'write-turns-worker',
      new URL('../support/workers/x.ts', import.meta.url).href,
      {
        turns: turns.buffer,
        cells,
      },
    );
    try {
      expect(await message(worker)).toBe('ready');
      const answer = message(worker);
      turns.inForeground(() => {
        // The writer is told to go while this call runs; it must not go on before the call ends.
        Atomics.store(shared, 0, 1);
        Atomics.notify(shared, 0);
        busyFor(200);
        Atomics.store(shared, 1, 42);
      });
      expect(await answer).toBe(42);
    } finally {
      await worker.terminate();
    }
  });

  it('count store calls in and out, also when one throws', () => {
    const turns = new WriteTurns();
    const count = new Int32Array(turns.buffer);
    expect(turns.inForeground(() => Atomics.load(count, 0))).toBe(1);
    expect(() =>
      turns.inForeground(() => {
        throw new Error('SQLITE_CORRUPT');
      }),
    ).toThrow('SQLITE_CORRUPT');
    expect(Atomics.load(count, 0)).toBe(0);
  });

  it('give up waiting after the longest wait, so a stuck call cannot stop a scrape for good', () => {
    const turns = new WriteTurns();
    Atomics.add(new Int32Array(turns.buffer), 0, 1);
    const started = performance.now();
    turns.letForegroundFirst(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
    const free = new WriteTurns();
    free.letForegroundFirst(10_000);
  });
});
