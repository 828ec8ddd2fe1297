import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Starts the worker thread whose entry is the module `name` beside `callerUrl` (the caller's `import.meta.url`).
 * Compiled JavaScript (`npm start` runs `dist/`) starts the sibling `.js`; TypeScript source (tsx, vitest) goes
 * through `ts-worker-bootstrap.mjs`, which registers tsx in the worker first: a worker does not inherit the
 * loader that compiles `.ts`. The entry reads `data` as its `workerData` (with `entry` beside it from source).
 */
export function startWorker(name: string, callerUrl: string, data: Record<string, unknown>): Worker {
  if (!callerUrl.endsWith('.ts')) {
    return new Worker(new URL(`./${name}.js`, callerUrl), { workerData: data });
  }
  return new Worker(new URL('./ts-worker-bootstrap.mjs', import.meta.url), {
    workerData: { ...data, entry: new URL(`./${name}.ts`, callerUrl).href },
  });
}

/**
 * Acks come first: on a small shared machine a worker thread competes with the main one for a core, so it runs
 * at a lower priority (nice 10). Linux lets one thread have its own nice value (setpriority on its thread id);
 * elsewhere it keeps the process's priority. Called by a worker at its start.
 */
export function lowerThreadPriority(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, 10);
  } catch {
    // Not Linux, or not permitted: same priority as the main thread, which only costs some ack latency.
  }
}
