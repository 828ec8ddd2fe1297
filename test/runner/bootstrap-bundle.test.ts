import { execFile } from 'node:child_process';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { RunnerResultSchema } from '../../src/domain/runner-contract.js';
import { buildRunnerBundle } from '../../src/runner/runner-bundle.js';
import { RUNNER_DIR, openTempDir, writeJob } from './runner-cli.js';

const run = promisify(execFile);

/** The bundle the bot ships (src/runner/runner-bundle.ts) runs through the real bootstrap.sh. */
describe('bootstrap.sh with the bot-built runner bundle', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('verifies the bundle by the hash in its name, unpacks it and runs the job', async () => {
    dir = await openTempDir();
    const bundle = await buildRunnerBundle(`${RUNNER_DIR}/`);
    const bundlePath = join(dir, `sherpa-runner-${bundle.hash.slice(0, 16)}.zip`);
    await writeFile(bundlePath, bundle.bytes);
    const code = join(dir, 'train.py');
    await writeFile(code, 'print(\'METRICS: {"loss": 0.5}\')\n');
    await chmod(code, 0o644);
    const jobUri = await writeJob(dir, { codeUri: pathToFileURL(code).href });
    const asRoot = process.getuid?.() === 0;
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      SHERPA_RUNNER_URI: pathToFileURL(bundlePath).href,
      SHERPA_JOB_URI: jobUri,
      SHERPA_CACHE_DIR: join(dir, 'cache'),
      SHERPA_WORK_ROOT: join(dir, 'work'),
      // As root: contained, in a network namespace of its own (no metadata block on a test host); as an
      // ordinary user: unconfined, as nothing can be contained.
      ...(asRoot ? { SHERPA_NETWORK: 'none' } : { SHERPA_CONTAINMENT: 'none' }),
      ...(asRoot && existsSync('/usr/bin/python3') ? { SHERPA_PYTHON: '/usr/bin/python3' } : {}),
    };
    const { stdout } = await run('bash', [join(RUNNER_DIR, 'bootstrap.sh')], { env, timeout: 60_000 });
    expect(stdout).toContain(`runner ${bundle.hash} verified and cached`);
    const result = RunnerResultSchema.parse(
      JSON.parse(await readFile(join(dir, 'results', 'result.json'), 'utf8')),
    );
    expect(result.status).toBe('succeeded');
    expect(result.metrics.summary.loss?.last).toBe(0.5);
  }, 60_000);
});
