import type { Worker } from 'node:worker_threads';
import type { SqliteConnection } from './sqlite-database.js';
import { startDatabaseWorker } from './worker-entry.js';

/** SQLite's own WAL threshold, given back to the main connection whenever the worker is not there to do it. */
const AUTOCHECKPOINT_PAGES = 1000;
/** A worker that stopped is started again no sooner than this, so one that cannot start is not retried per write. */
const RESTART_AFTER_MS = 60_000;

/**
 * The main side of `maintenance-worker.ts`: starts it on the first write that needs it, tells it of each write,
 * and hands the WAL checkpoint back to SQLite (the main connection's `wal_autocheckpoint`) while no worker runs.
 */
export class StoreMaintenance {
  private worker: Worker | undefined;
  private stoppedAt = -Infinity;
  private closed = false;

  constructor(
    private readonly options: { location: string; connection: SqliteConnection; busyTimeoutMs?: number },
  ) {}

  /** Papers were written: checkpoint soon, off this thread. */
  wrote(): void {
    if (this.closed) return;
    const worker = this.worker ?? this.start();
    worker?.postMessage('wrote');
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
    this.checkpointHere();
  }

  private start(): Worker | undefined {
    if (performance.now() - this.stoppedAt < RESTART_AFTER_MS) return undefined;
    const worker = startDatabaseWorker('maintenance-worker', this.options);
    // It never keeps the process alive: graceful shutdown closes it through the paper store.
    worker.unref();
    const stopped = () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.stoppedAt = performance.now();
      this.checkpointHere();
    };
    worker.on('error', stopped);
    worker.on('exit', stopped);
    this.worker = worker;
    this.options.connection.pragma('wal_autocheckpoint = 0');
    return worker;
  }

  private checkpointHere(): void {
    if (this.options.connection.open)
      this.options.connection.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }
}
