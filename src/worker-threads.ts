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
