import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm run bench` (bench/index.ts) imports every `bench/*.ts` but itself and calls its `run()`; a helper module
 * left at the top level stops the whole run at that file (as bench/gpu-spot-resume.ts once did, halfway through).
 * Helpers belong in bench/support/. A source check, not an import: the benchmarks' modules start servers.
 */
describe('bench/ layout', () => {
  const dir = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', 'bench');
  const entries = readdirSync(dir).filter((name) => name.endsWith('.ts') && name !== 'index.ts');

  it.each(entries)('bench/%s exports run()', (name) => {
    const source = readFileSync(join(dir, name), 'utf8');
    expect(source).toMatch(/^export async function run\(\): Promise<void>/m);
  });
});
