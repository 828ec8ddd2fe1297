/**
 * Bulk work on the event loop in slices (issue 14, item 3): the loop that parses a 1,000-note OpenReview page
 * and writes its papers is the loop that must ack every Slack envelope within 3 s, and a page done in one go
 * held it for hundreds of milliseconds on a large store. Work done in slices of a few milliseconds, with a turn
 * of the event loop between them (`setImmediate`: after the socket reads that arrived meanwhile), keeps each
 * ack waiting no longer than one slice. Slices are cut by time, not by count, so a cheap item (a small store, a
 * fast machine) pays almost nothing for the turns and a dear one never holds the loop for long.
 */
export const SLICE_MS = 4;

/**
 * Loops waiting for their next slice, first come first served. One slice runs per turn of the event loop, across
 * every loop in the thread: a scrape's parse, its store writes, the index merging and the judge consumer each
 * slice their work, and when each of them had a `setImmediate` of its own, all their slices ran back to back in
 * the same check phase and held the loop for 15 to 50 ms (issue 14, item 3). Now a socket read waits for one
 * slice, not one slice of each.
 */
const waiting: (() => void)[] = [];
let turnScheduled = false;

function scheduleTurn(): void {
  if (turnScheduled) return;
  turnScheduled = true;
  setImmediate(grantSlice);
}

/**
 * The next waiting loop gets its slice. It runs in the microtasks right after this callback; the next grant is
 * a new `setImmediate`, which Node runs in the next turn, after that turn's timers and socket reads.
 */
function grantSlice(): void {
  turnScheduled = false;
  waiting.shift()?.();
  if (waiting.length > 0) scheduleTurn();
}

/** Lets the event loop run what has arrived (socket reads, timers) before the caller continues. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    scheduleTurn();
  });
}

/** Tells a loop over synchronous work when its slice is spent. */
export class SliceClock {
  private started = performance.now();

  constructor(private readonly sliceMs = SLICE_MS) {}

  /** True once this slice has run for `sliceMs`. */
  spent(): boolean {
    return performance.now() - this.started >= this.sliceMs;
  }

  /** Yields to the event loop, then starts the next slice. */
  async next(): Promise<void> {
    await yieldToEventLoop();
    this.started = performance.now();
  }
}

/** `work` for each item in turn, yielding to the event loop whenever a slice is spent. */
export async function forEachInSlices<T>(
  items: readonly T[],
  work: (item: T, index: number) => void,
  sliceMs = SLICE_MS,
): Promise<void> {
  const clock = new SliceClock(sliceMs);
  for (let index = 0; index < items.length; index++) {
    work(items[index] as T, index);
    // Awaited only when spent: an await per item would cost a microtask turn each.
    if (clock.spent() && index + 1 < items.length) await clock.next();
  }
}
