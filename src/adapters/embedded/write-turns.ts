/**
 * The bot's thread first at `sherpa.db`'s write lock. A scrape on its own thread (`src/compose/scrape-thread.ts`)
 * writes in transactions of a few ms (up to `OFF_LOOP_INGEST_TRANSACTION_MS`), back to back; a write on the bot's
 * thread that meets one of them waits in SQLite's busy handler, which sleeps 1, 2, 5, 10, 20 ms and more between
 * tries, and with the scrape starting its next transaction microseconds after the last one, a try rarely found
 * the lock free: the thread that acks Slack slept for up to 130 ms (issue 14, item 3).
 *
 * So the two share two cells of memory: how many store calls the bot's thread is in, and whether the background
 * writer is in one. The background writer starts a call only when the bot's thread is in none, and waits
 * (blocking its own thread, which is what it is for) until then. The bot's thread counts itself in around each
 * call; its writes (`inForegroundAsync`) then wait, with the event loop free to ack, for the background call in
 * progress to end, and run when it has. The two check each other's cell in opposite orders (a store, then a load,
 * all sequentially consistent), so they can never both go ahead.
 *
 * A call the bot's thread cannot await (`inForeground`: reads, and writes inside the adapters' synchronous code)
 * only counts itself in; if it meets the write lock, SQLite's busy handler waits as before. It does not block on
 * the background call: waiting on it synchronously measured worse (its writes' p99 22 ms against 10 ms), as the
 * scrape thread runs at a lower priority and the acks then wait for whatever else the machine schedules first.
 */
const FOREGROUND_CALLS = 0;
const BACKGROUND_CALL = 1;

export class WriteTurns {
  private readonly cells: Int32Array;

  /** New cells, or those shared from another thread (its `buffer`). */
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) {
    this.cells = new Int32Array(buffer);
  }

  /** The bot's thread, around a store call it cannot await: background writers start none meanwhile. */
  inForeground<T>(work: () => T): T {
    Atomics.add(this.cells, FOREGROUND_CALLS, 1);
    try {
      return work();
    } finally {
      this.leaveForeground();
    }
  }

  /**
   * The bot's thread, around a write: counted in at once, then waits without blocking the event loop for the
   * background call in progress (at most `maxWaitMs`, after which SQLite's busy handler has the last word).
   */
  async inForegroundAsync<T>(work: () => T, maxWaitMs = 200): Promise<T> {
    Atomics.add(this.cells, FOREGROUND_CALLS, 1);
    try {
      const waited = Atomics.waitAsync(this.cells, BACKGROUND_CALL, 1, maxWaitMs);
      if (waited.async) await waited.value;
      return work();
    } finally {
      this.leaveForeground();
    }
  }

  /**
   * A background writer, around a store call: it starts once the bot's thread is in none (waiting at most
   * `maxWaitMs` in all, so a bot thread stuck in a call cannot stop the scrape for good), marked meanwhile.
   */
  inBackground<T>(work: () => T, maxWaitMs = 200): T {
    const deadline = performance.now() + maxWaitMs;
    for (;;) {
      Atomics.store(this.cells, BACKGROUND_CALL, 1);
      const calls = Atomics.load(this.cells, FOREGROUND_CALLS);
      const left = deadline - performance.now();
      if (calls === 0 || left <= 0) break;
      this.leaveBackground();
      Atomics.wait(this.cells, FOREGROUND_CALLS, calls, left);
    }
    try {
      return work();
    } finally {
      this.leaveBackground();
    }
  }

  /**
   * A background writer, inside a long transaction: the bot's thread is in a store call (or waiting to start its
   * write), so the transaction should end at the next item it can end on.
   */
  foregroundWaiting(): boolean {
    return Atomics.load(this.cells, FOREGROUND_CALLS) > 0;
  }

  private leaveForeground(): void {
    if (Atomics.sub(this.cells, FOREGROUND_CALLS, 1) === 1) Atomics.notify(this.cells, FOREGROUND_CALLS);
  }

  private leaveBackground(): void {
    Atomics.store(this.cells, BACKGROUND_CALL, 0);
    Atomics.notify(this.cells, BACKGROUND_CALL);
  }
}
