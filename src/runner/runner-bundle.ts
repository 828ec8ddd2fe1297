import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { BlobStore } from '../ports/blob-store.js';
import { projectPath } from '../project-root.js';
import { createZip, type ZipEntry } from './zip-archive.js';

/** `trainium-runner/` in this checkout: the runner the bot ships with (found from src/ or the compiled dist/). */
export const DEFAULT_RUNNER_DIR = `${projectPath('trainium-runner')}${sep}`;

const PACKAGE = 'sherpa_runner';

export interface RunnerBundle {
  bytes: Buffer;
  /** sha256 of the zip bytes; the zip is deterministic, so this changes only when a runner file does. */
  hash: string;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !path.includes(`${sep}__pycache__${sep}`) && !path.endsWith('.pyc'));
}

/** Zip of `trainium-runner/sherpa_runner/` with the package at the root, so `PYTHONPATH=<zip>` imports it. */
export async function buildRunnerBundle(runnerDir: string = DEFAULT_RUNNER_DIR): Promise<RunnerBundle> {
  const files = (await listFiles(join(runnerDir, PACKAGE))).sort();
  const entries: ZipEntry[] = await Promise.all(
    files.map(async (path) => ({
      name: relative(runnerDir, path).split(sep).join('/'),
      data: await readFile(path),
    })),
  );
  const bytes = createZip(entries);
  return { bytes, hash: createHash('sha256').update(bytes).digest('hex') };
}

export interface PublishedRunner {
  key: string;
  uri: string;
  hash: string;
}

/**
 * Put the bundle in the BlobStore under its content hash (once), so every instance runs exactly the runner
 * of the bot that sent the job, whatever was installed on the instance before.
 */
export async function publishRunnerBundle(blobs: BlobStore, bundle: RunnerBundle): Promise<PublishedRunner> {
  const key = `runner/sherpa-runner-${bundle.hash.slice(0, 16)}.zip`;
  await blobs.putIfAbsent(key, bundle.bytes, { contentType: 'application/zip' });
  return { key, uri: blobs.uriFor(key), hash: bundle.hash };
}

export async function readBootstrapScript(runnerDir: string = DEFAULT_RUNNER_DIR): Promise<string> {
  return readFile(join(runnerDir, 'bootstrap.sh'), 'utf8');
}
