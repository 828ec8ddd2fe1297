import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../../../src/adapters/embedded/index.js';
import { LocalCompute } from '../../../src/adapters/local-compute/index.js';
import { createLogger } from '../../../src/logging/logger.js';
import type { RunHandle } from '../../../src/ports/compute.js';
import { openTempDir } from '../../runner/runner-cli.js';

/**
 * The local runner is detached, so it outlives a bot that crashes: a restarted bot must find it by the
 * dispatch key and follow it, not start the run again (issue 10, found item 6). A stand-in runner that waits
 * for a file keeps the test short and in control of when the "run" ends.
 */
let dir: string;

beforeEach(async () => {
  dir = await openTempDir();
  const pkg = join(dir, 'runner', 'sherpa_runner');
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, '__init__.py'), '');
  await writeFile(
    join(pkg, '__main__.py'),
    [
      'import os, sys, time',
      `stop = ${JSON.stringify(join(dir, 'stop'))}`,
      'while not os.path.exists(stop):',
      '    time.sleep(0.02)',
      '',
    ].join('\n'),
  );
});

afterEach(async () => {
  await writeFile(join(dir, 'stop'), '');
  await rm(dir, { recursive: true, force: true });
});

function bot(): LocalCompute {
  return new LocalCompute({
    blobs: new FileBlobStore(join(dir, 'blobs')),
    logger: createLogger({ level: 'silent' }),
    workRoot: join(dir, 'data', 'runner-work'),
    runnerDir: join(dir, 'runner'),
    python: '/usr/bin/python3',
  });
}

async function finished(compute: LocalCompute, handle: RunHandle) {
  for (let i = 0; i < 500; i += 1) {
    const poll = await compute.pollRun(handle);
    if (poll.state === 'finished') return poll;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the stand-in runner did not finish');
}

describe('local compute dispatch records', () => {
  it('lets a restarted bot find and follow the runner an earlier process started, by its dispatch key', async () => {
    const first = bot();
    const handle = await first.startRun('local', {
      runId: 'r_local_1',
      jobKey: 'jobs/local/r_local_1/job.json',
      timeoutSeconds: 60,
      dispatchKey: 'r_local_1.d1',
      sendBy: new Date(Date.now() + 60_000),
    });

    const restarted = bot();
    const lookup = { runId: 'r_local_1', since: new Date(0) };
    expect(await restarted.findRun('local', { ...lookup, dispatchKey: 'r_local_1.d1' })).toEqual(handle);
    expect(await restarted.findRun('local', { ...lookup, dispatchKey: 'r_local_1.d2' })).toBeUndefined();
    expect(await restarted.pollRun(handle)).toEqual({ state: 'running' });

    await writeFile(join(dir, 'stop'), '');
    expect(await finished(first, handle)).toMatchObject({ outcome: 'success' });
    // Gone, and the restarted bot has no pipe to it: only a result.json in the blobs could tell how it ended.
    expect(await restarted.pollRun(handle)).toMatchObject({ state: 'finished', outcome: 'lost' });
  });

  it('refuses a dispatch key that is not a plain name rather than turn it into a path', async () => {
    await expect(
      bot().findRun('local', { runId: 'r_x', dispatchKey: '../../etc/passwd', since: new Date(0) }),
    ).rejects.toThrow(/unexpected dispatch key/);
  });
});
