/**
 * The bot's thread first at `sherpa.db`'s write lock. A scrape on its own thread (`src/compose/scrape-thread.ts`)
 * writes in transactions of a slice each (4 ms), back to back; a write on the bot's thread that meets one of them
 * waits in SQLite's busy handler, which sleeps 1, 2, 5, 10, 20 ms and more between tries, and with the scrape
 * starting its next transaction microseconds after the last one, a try rarely found the lock free: the thread
 * that acks Slack could sleep for tens of ms (issue 14, item 3).
 *
 * So the two share a counter in shared memory: the bot's thread counts itself in around each store call, and a
 * background writer waits, before each of its own transactions, until the count is zero. A write on the bot's
 * thread then waits for at most the one transaction the scrape is in, and the background writer for the bot's
 * short calls. Blocking the background thread is what it is for; the bot's thread never waits on the counter.
 * (Having the bot's thread also wait, woken exactly, for the background call in progress measured worse: 22 ms
 * at the p99 of its writes against 10 ms. The scrape thread runs at a lower priority, and waiting on it
 * directly makes the acks wait for whatever else the machine schedules first.)
 */
export class WriteTurns {
  private readonly inStoreCalls: Int32Array;

  /** A new counter, or one shared from another thread (its `buffer`). */
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) {
    this.inStoreCalls = new Int32Array(buffer);
  }

  /** The bot's thread, around a store call: background writers start no transaction meanwhile. */
  inForeground<T>(work: () => T): T {
    Atomics.add(this.inStoreCalls, 0, 1);
    try {
      return work();
    } finally {
      if (Atomics.sub(this.inStoreCalls, 0, 1) === 1) Atomics.notify(this.inStoreCalls, 0);
    }
  }

  /**
   * A background writer, before a transaction: blocks this thread while the bot's thread is in a store call, for
   * at most `maxWaitMs` in all (a bot thread stuck in one call must not stop the scrape for good).
   */
  letForegroundFirst(maxWaitMs = 100): void {
    const deadline = performance.now() + maxWaitMs;
    for (;;) {
      const calls = Atomics.load(this.inStoreCalls, 0);
      const left = deadline - performance.now();
      if (calls === 0 || left <= 0) return;
      Atomics.wait(this.inStoreCalls, 0, calls, left);
    }
  }
}
