// @ts-check
/**
 * Compiles the bot (src/, handlers/, jobs/) to plain JavaScript in dist/ for `npm start`, so the running bot
 * does not carry a TypeScript loader (issue 14: tsx at run time costs memory and start-up time). `npm install`
 * runs it (`prepare`) and `npm start` runs it with `--if-stale` (`prestart`), which rebuilds only when a source
 * file is newer than the last build, so editing a file and running `npm start` never runs stale code.
 *
 * esbuild transpiles file by file (no bundling, same module layout, imports unchanged); type checking stays with
 * `npm run typecheck`. Files that read a sibling at run time find the project root with `src/project-root.ts`.
 */
import { readdirSync, statSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const OUT_DIR = 'dist';
const SOURCE_DIRS = ['src', 'handlers', 'jobs'];
const STAMP = join(ROOT, OUT_DIR, '.built');

/** `src/main.ts` → `dist/src/main.js`: what `npm start` and the systemd unit run. */
export function outputPathOf(source) {
  return join(OUT_DIR, source.replace(/\.ts$/, '.js'));
}

function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  return files;
}

function isStale(files) {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  const inputs = [...files, 'package.json', 'scripts/build.mjs'];
  return inputs.some((file) => statSync(join(ROOT, file)).mtimeMs > built);
}

export async function build({ ifStale = false } = {}) {
  const files = sourceFiles();
  if (ifStale && !isStale(files)) return false;
  const { build: esbuild } = await import('esbuild');
  rmSync(join(ROOT, OUT_DIR), { recursive: true, force: true });
  await esbuild({
    absWorkingDir: ROOT,
    entryPoints: files,
    outdir: OUT_DIR,
    outbase: '.',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  return true;
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  const started = performance.now();
  const built = await build({ ifStale: process.argv.includes('--if-stale') });
  if (built) {
    console.log(`sherpa: compiled to ${OUT_DIR}/ in ${Math.round(performance.now() - started)} ms`);
  }
}
