// A background writer for test/embedded/write-turns.test.ts: once told to go, waits for its turn at the write
// lock, then says what the bot's thread had written into shared memory by then.
import { parentPort, workerData } from 'node:worker_threads';
import { WriteTurns } from '../../../src/adapters/embedded/write-turns.js';

const { turns, cells } = workerData as { turns: SharedArrayBuffer; cells: SharedArrayBuffer };
const shared = new Int32Array(cells); // [0]: go, [1]: what the bot's thread marked before leaving its call
parentPort?.postMessage('ready');
Atomics.wait(shared, 0, 0, 10_000);
new WriteTurns(turns).letForegroundFirst(10_000);
parentPort?.postMessage(Atomics.load(shared, 1));
