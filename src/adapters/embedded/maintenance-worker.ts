/**
 * Worker thread that checkpoints a large embedded store's WAL off the event loop (issue 14, item 3). SQLite
 * otherwise checkpoints inside the commit that takes the WAL past 1,000 pages: on a 500,000-paper store, those
 * pages written back at random into a 3.7 GB file and synced held the thread that must ack Slack for hundreds
 * of milliseconds. Here, on a connection of its own at a low priority, PASSIVE checkpoints, which never take the
 * write lock, so a write on the main thread never waits for one. It runs when the main thread says it wrote
 * (`wrote`), and every `CHECK_MS` for writes from other processes. (FTS5 merges, the other work SQLite did in a
 * commit, do take the write lock, so they run on the main thread in short steps: `fts-merger.ts`.)
 */
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { lowerThreadPriority } from '../../worker-threads.js';

const { location, busyTimeoutMs } = z
  .object({ location: z.string().min(1), busyTimeoutMs: z.number().int().nonnegative() })
  .parse(workerData);

/** A WAL under this is left for the next round (SQLite's own threshold is 1,000 pages, about 4 MiB). */
const CHECKPOINT_FROM_BYTES = 4 * 1024 * 1024;
/**
 * At most one checkpoint a second. A PASSIVE checkpoint leaves the WAL file at its size (the next writer reuses
 * it from the start), so past the threshold once, every round checkpoints: rounds at every write would write
 * pages back and sync the file far more often than SQLite's own every 1,000 pages.
 */
const MIN_INTERVAL_MS = 1_000;
/** Also this often without being told, for writes from other processes. */
const CHECK_MS = 2_000;

lowerThreadPriority();
const connection = new Database(location, { fileMustExist: true });
connection.pragma(`busy_timeout = ${busyTimeoutMs}`);

function walBytes(): number {
  try {
    return statSync(`${location}-wal`).size;
  } catch {
    return 0;
  }
}

let lastRound = -Infinity;
let scheduled = false;

/** A round soon: now, or once MIN_INTERVAL_MS has passed since the last one. */
function requestRound(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(
    () => {
      scheduled = false;
      round();
    },
    Math.max(0, lastRound + MIN_INTERVAL_MS - performance.now()),
  );
}

/** A round: checkpoint the WAL if it has grown. */
function round(): void {
  lastRound = performance.now();
  try {
    if (walBytes() >= CHECKPOINT_FROM_BYTES) connection.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // A checkpoint that failed (the file went away, the disk is full) is tried again next round.
    const { message, code } = error as { message?: string; code?: string };
    parentPort?.postMessage({ kind: 'failed', message: message ?? String(error), code });
  }
}

const port = parentPort;
if (!port) throw new Error('maintenance-worker.ts runs only as a worker thread');
port.on('message', requestRound);
setInterval(requestRound, CHECK_MS);
