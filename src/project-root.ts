import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root (the directory with package.json), found from this file's location, so a file the bot
 * reads at run time (trainium-runner/, manifest.yml, a helper script beside its module) is found the same way
 * from the TypeScript sources under tsx (src/…) and from the compiled JavaScript `npm start` runs (dist/src/…).
 */
export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the checkout, e.g. `projectPath('trainium-runner')`. */
export function projectPath(...segments: string[]): string {
  return join(PROJECT_ROOT, ...segments);
}

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`Sherpa cannot find its package.json above ${start}`);
  }
}
