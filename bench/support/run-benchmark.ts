/**
 * One benchmark in a process of its own (bench/index.ts says why): imports `bench/<name>.ts`, runs its `run()`,
 * and exits, so a server or timer a benchmark leaves behind cannot keep the process (and the run) waiting.
 */
import { pathToFileURL } from 'node:url';

const file = process.argv[2];
if (!file) throw new Error('usage: run-benchmark.ts <bench file>');
const module = (await import(pathToFileURL(file).href)) as { run?: () => Promise<void> };
if (typeof module.run !== 'function') throw new Error(`${file} does not export run()`);
await module.run();
process.exit(0);
