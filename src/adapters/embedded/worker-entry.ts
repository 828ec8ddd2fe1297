import { Worker } from 'node:worker_threads';

type WorkerName = 'read-worker' | 'maintenance-worker';

/**
 * Where a worker thread of this folder starts. Compiled JavaScript runs the worker's sibling `.js`; TypeScript
 * source (tsx, vitest) goes through a bootstrap that registers tsx in the worker first.
 */
function workerEntry(name: WorkerName): { url: URL; entry: string | undefined } {
  if (!import.meta.url.endsWith('.ts')) {
    return { url: new URL(`./${name}.js`, import.meta.url), entry: undefined };
  }
  return {
    url: new URL('./ts-worker-bootstrap.mjs', import.meta.url),
    entry: new URL(`./${name}.ts`, import.meta.url).href,
  };
}

/** Starts a worker of this folder on a connection of its own to the database at `location`. */
export function startDatabaseWorker(
  name: WorkerName,
  options: { location: string; busyTimeoutMs?: number | undefined },
): Worker {
  const { url, entry } = workerEntry(name);
  return new Worker(url, {
    workerData: { entry, location: options.location, busyTimeoutMs: options.busyTimeoutMs ?? 5000 },
  });
}
