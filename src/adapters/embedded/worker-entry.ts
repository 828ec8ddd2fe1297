import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../worker-threads.js';

type WorkerName = 'read-worker' | 'maintenance-worker';

/** Starts a worker of this folder on a connection of its own to the database at `location`. */
export function startDatabaseWorker(
  name: WorkerName,
  options: { location: string; busyTimeoutMs?: number | undefined },
): Worker {
  return startWorker(name, import.meta.url, {
    location: options.location,
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
  });
}
