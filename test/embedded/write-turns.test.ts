import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { openSherpaDatabase, SqliteSearchStore } from '../../src/adapters/embedded/index.js';
import { WriteTurns } from '../../src/adapters/embedded/write-turns.js';
import { startWorker } from '../../src/worker-threads.js';
import { searchFixture } from '../evolve/search-fixture.js';
import { tempDataDir } from './temp-data-dir.js';

/** Blocks this thread for `ms` (a store call that takes that long). */
function busyFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const message = (worker: Worker) =>
  new Promise<unknown>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });

function backgroundWriter(
  turns: WriteTurns,
  scenario: 'waits-for-foreground' | 'holds-a-call',
  callMs?: number,
) {
  const cells = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
  const worker = startWorker('write-turns-worker', new URL('../support/workers/x.ts', import.meta.url).href, {
    turns: turns.buffer,
    cells,
    scenario,
    ...(callMs === undefined ? {} : { callMs }),
  });
  const shared = new Int32Array(cells);
  const go = () => {
    Atomics.store(shared, 0, 1);
    Atomics.notify(shared, 0);
  };
  return { worker, shared, go };
}

describe('write turns between the bot thread and a background writer', () => {
  it('hold a background writer back while the bot thread is in a store call, and let it go when it leaves', async () => {
    const turns = new WriteTurns();
    const { worker, shared, go } = backgroundWriter(turns, 'waits-for-foreground');
    try {
      expect(await message(worker)).toBe('ready');
      const answer = message(worker);
      turns.inForeground(() => {
        // The writer is told to go while this call runs; it must not start its own before this one ends.
        go();
        busyFor(200);
        Atomics.store(shared, 1, 42);
      });
      expect(await answer).toBe(42);
    } finally {
      await worker.terminate();
    }
  });

  it("make the bot thread's awaited write wait for the background call in progress, with the event loop free", async () => {
    const turns = new WriteTurns();
    const { worker, shared, go } = backgroundWriter(turns, 'holds-a-call');
    try {
      expect(await message(worker)).toBe('ready');
      const done = message(worker);
      go();
      const inside = Atomics.waitAsync(shared, 2, 0, 10_000);
      if (inside.async) await inside.value;
      let turnsOfTheLoop = 0;
      const ticker = setInterval(() => turnsOfTheLoop++, 5);
      const seen = await turns.inForegroundAsync(() => Atomics.load(shared, 3), 10_000);
      clearInterval(ticker);
      // It ran after the background call had ended, and timers ran while it waited.
      expect(seen).toBe(7);
      expect(turnsOfTheLoop).toBeGreaterThan(0);
      expect(await done).toBe('done');
    } finally {
      await worker.terminate();
    }
  });

  it("make an evolve search's move on the bot thread wait its turn like the other writes", async () => {
    const dir = tempDataDir();
    const database = openSherpaDatabase({ dataDir: dir.path });
    const searches = new SqliteSearchStore(database);
    // A call well inside the longest wait of a write on the bot's thread (200 ms).
    const { worker, shared, go } = backgroundWriter(database.turns, 'holds-a-call', 50);
    try {
      await searches.create(searchFixture());
      expect(await message(worker)).toBe('ready');
      go();
      const inside = Atomics.waitAsync(shared, 2, 0, 10_000);
      if (inside.async) await inside.value;
      const moved = await searches.move('s_1', { from: 'confirmed', to: 'stopped' });
      // The move ran once the background call had ended (it marks 7 as it ends), not in the middle of it.
      expect(Atomics.load(shared, 3)).toBe(7);
      expect(moved).toMatchObject({ ok: true, search: { state: 'stopped' } });
    } finally {
      await worker.terminate();
      database.close();
      dir.remove();
    }
  });

  it('run an awaited write at once when no background call is in progress, as before', () => {
    const turns = new WriteTurns();
    let ran = false;
    void turns.inForegroundAsync(() => (ran = true));
    expect(ran).toBe(true);
  });

  it('count store calls in and out, also when one throws', async () => {
    const turns = new WriteTurns();
    const count = new Int32Array(turns.buffer);
    expect(turns.inForeground(() => Atomics.load(count, 0))).toBe(1);
    expect(() =>
      turns.inForeground(() => {
        throw new Error('SQLITE_CORRUPT');
      }),
    ).toThrow('SQLITE_CORRUPT');
    await expect(
      turns.inForegroundAsync(() => {
        throw new Error('SQLITE_FULL');
      }),
    ).rejects.toThrow('SQLITE_FULL');
    expect(Atomics.load(count, 0)).toBe(0);
  });

  it('let a background writer go after its longest wait, so a stuck call cannot stop a scrape for good', () => {
    const turns = new WriteTurns();
    Atomics.add(new Int32Array(turns.buffer), 0, 1);
    const started = performance.now();
    expect(turns.inBackground(() => 'written', 30)).toBe('written');
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
    expect(new WriteTurns().inBackground(() => 'at once', 10_000)).toBe('at once');
  });
});
