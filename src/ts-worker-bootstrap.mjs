// Entry of a worker thread started from TypeScript source (`npm start` through tsx, vitest): a worker does not
// inherit the loader that compiles .ts, so this registers tsx in the worker, then imports the real entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
