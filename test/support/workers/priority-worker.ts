// A worker thread for test/domain/worker-threads.test.ts: lowers its own priority and says what it became.
import { readlinkSync } from 'node:fs';
import { getPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../../../src/worker-threads.js';

lowerThreadPriority();
const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
parentPort?.postMessage({
  threadId,
  nice: getPriority(threadId),
  echo: (workerData as { echo: string }).echo,
});
