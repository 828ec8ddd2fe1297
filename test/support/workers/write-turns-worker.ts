// A background writer for test/embedded/write-turns.test.ts. Cells: [0] go, [1] what the bot's thread marked,
// [2] "inside my call", [3] what this thread marks at the end of its call.
import { parentPort, workerData } from 'node:worker_threads';
import { WriteTurns } from '../../../src/adapters/embedded/write-turns.js';

const { turns, cells, scenario, callMs } = workerData as {
  turns: SharedArrayBuffer;
  cells: SharedArrayBuffer;
  scenario: 'waits-for-foreground' | 'holds-a-call';
  /** How long the held call lasts. */
  callMs?: number;
};
const shared = new Int32Array(cells);
const writeTurns = new WriteTurns(turns);
parentPort?.postMessage('ready');
Atomics.wait(shared, 0, 0, 10_000);
if (scenario === 'waits-for-foreground') {
  parentPort?.postMessage(writeTurns.inBackground(() => Atomics.load(shared, 1), 10_000));
} else {
  writeTurns.inBackground(() => {
    Atomics.store(shared, 2, 1);
    Atomics.notify(shared, 2);
    Atomics.wait(shared, 0, 1, callMs ?? 200);
    Atomics.store(shared, 3, 7);
  });
  parentPort?.postMessage('done');
}
