import { SliceClock, yieldToEventLoop } from '../../event-loop-slices.js';
import { runSql, type SherpaDatabase } from './sqlite-database.js';

/** Pages of merge work per step: about a millisecond on the 500,000-paper benchmark store. */
const MERGE_PAGES = 16;

/**
 * Merges the FTS5 index's segments in short steps on the event loop (issue 14, item 3). With automerge on, FTS5
 * merged inside the commit of whichever write filled a level, and on a 500,000-paper store one such commit held
 * the thread that acks Slack for up to 1.5 s. Migration 7 turns automerge off; each write that adds segments
 * then calls `wrote()`, and the merging happens here: `('merge', MERGE_PAGES)` steps, each its own short write
 * transaction, as many as fit in a slice (`SLICE_MS`), a turn of the event loop between slices, until a step
 * finds no level with enough segments to merge. It merges on the thread that wrote the segments: the bot's for
 * its own writes, the scrape thread's for a scrape's, where each step first lets the bot's thread finish its
 * store calls (`write-turns.ts`).
 */
export class FtsMerger {
  private readonly merge;
  private readonly totalChanges;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly database: SherpaDatabase) {
    const connection = database.connection;
    this.merge = connection.prepare(
      `INSERT INTO papers_fts(papers_fts, rank) VALUES('merge', ${MERGE_PAGES})`,
    );
    this.totalChanges = connection.prepare<[], { n: number }>('SELECT total_changes() AS n');
  }

  /** Segments were added: merge them soon (one loop at a time; a write during it makes it look again). */
  wrote(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.mergeAll().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wrote();
      }
    });
  }

  /** Stops after the current step; resolves once the loop has. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  /** Until done, for tests and benchmarks that measure a merged index. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async mergeAll(): Promise<void> {
    await yieldToEventLoop();
    const clock = new SliceClock();
    while (!this.closed && this.database.connection.open) {
      if (!this.step()) return;
      if (clock.spent()) await clock.next();
    }
  }

  /** One step; false once FTS5 found nothing to merge (it changes fewer than 2 rows then) or cannot now. */
  private step(): boolean {
    try {
      const before = this.totalChanges.get()?.n ?? 0;
      // Through `runSql`: on the scrape thread a step waits for the bot thread's store calls (`write-turns.ts`).
      runSql(this.database, () => this.merge.run());
      return (this.totalChanges.get()?.n ?? 0) - before >= 2;
    } catch {
      // Busy past the timeout (another process writing for long): the next write starts the merging again.
      return false;
    }
  }
}
