/**
 * `npm run bench`: runs every `bench/*.ts` (except this file) in turn, each in a process of its own. Each exports
 * `run(): Promise<void>` and prints its own figures; a benchmark that needs missing hardware says so and skips.
 * A process each, because several figures are the process's own (the ingest's peak RSS, the ack tails, the
 * garbage a benchmark leaves): measured in one shared process, each benchmark would carry the memory and heap of
 * the ones before it (the ingest's peak RSS read 412 MiB after the others, against 250–300 MiB alone).
 * `BENCH_ONLY=ingest-throughput,search-latency` runs only those. A benchmark that fails does not stop the others;
 * the run then exits non-zero naming it.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim().replace(/\.ts$/, ''));

function runAlone(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, 'support', 'run-benchmark.ts'), file],
      { stdio: 'inherit' },
    );
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const files = (await readdir(here))
  .filter((name) => name.endsWith('.ts') && name !== 'index.ts')
  .filter((name) => !only || only.includes(name.replace(/\.ts$/, '')))
  .sort();
const failed: string[] = [];
for (const name of files) {
  console.log(`\n== ${name} ==`);
  if ((await runAlone(join(here, name))) !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\nbenchmarks that failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
