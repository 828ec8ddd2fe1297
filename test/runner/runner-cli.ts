import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { RunnerJobSchema, type RunnerJob } from '../../src/domain/runner-contract.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RUNNER_DIR = join(ROOT, 'trainium-runner');
const run = promisify(execFile);

const IS_ROOT = process.getuid?.() === 0;

/**
 * As root the runner contains the code (trainium-runner/README.md): a fresh uid, which cannot reach an
 * interpreter under /root (pyenv), and a network namespace of its own, as a test host has no metadata block
 * installed. As an ordinary user it cannot contain anything and runs the code unconfined, saying so.
 */
export function sandboxArgs(): string[] {
  if (!IS_ROOT) return ['--unconfined'];
  const python = existsSync('/usr/bin/python3') ? ['--python', '/usr/bin/python3'] : [];
  return ['--network', 'none', ...python];
}

/**
 * A temp folder the sandboxed code can read (code and fake tools live there). As root, not under /tmp: the
 * sandbox gets a fresh /tmp of its own and would not see it.
 */
export async function openTempDir(): Promise<string> {
  const base = IS_ROOT ? '/run/sherpa-runner-tests' : tmpdir();
  await mkdir(base, { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(base, 'sherpa-runner-vitest-'));
  await chmod(dir, 0o755);
  return dir;
}

export async function writeJob(
  dir: string,
  fields: Partial<RunnerJob> & { codeUri: string },
): Promise<string> {
  const job = RunnerJobSchema.parse({
    schemaVersion: 1,
    runId: 'r_vitest',
    paperId: 'p_vitest',
    codeHash: 'unverified',
    resultsUri: `${pathToFileURL(join(dir, 'results')).href}/`,
    backend: 'cpu',
    timeoutSeconds: 60,
    ...fields,
  });
  const path = join(dir, 'job.json');
  await writeFile(path, JSON.stringify(job));
  return pathToFileURL(path).href;
}

/** Runs the runner on a job; `workRoot` holds its run folders and its "started" markers (one run id, once). */
export async function runRunner(
  jobUri: string,
  workRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const { stdout } = await run(
    'python3',
    ['-m', 'sherpa_runner', '--job', jobUri, '--work-root', workRoot, ...sandboxArgs()],
    // No metadata service unless the test brings its own: the runner's spot watcher must not probe the host's.
    { cwd: RUNNER_DIR, env: { AWS_EC2_METADATA_DISABLED: 'true', ...env }, timeout: 60_000 },
  );
  return stdout;
}
