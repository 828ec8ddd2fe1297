import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../../../src/adapters/embedded/index.js';
import { LocalCompute } from '../../../src/adapters/local-compute/index.js';
import { createLogger } from '../../../src/logging/logger.js';
import { systemClock } from '../../../src/ports/clock.js';
import { realSleep } from '../../../src/ports/sleep.js';
import { executeRun } from '../../../src/runs/execute-run.js';
import { requestRun } from '../../../src/runs/request-run.js';
import { runKeys } from '../../../src/domain/run-keys.js';
import { NEURON_STANDIN_TRAINING, writeFakeNeuronProfile } from '../../support/fake-neuron-tools.js';
import { runHarness, type RunHarness } from '../../support/run-harness.js';
import { seedCodeReadyPaper } from '../../support/run-fixtures.js';
import { openTempDir, RUNNER_DIR, sandboxArgs } from '../../runner/runner-cli.js';

let harness: RunHarness | undefined;
let dir: string | undefined;

afterEach(async () => {
  harness?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function localHarness(options: {
  code: string;
  env?: Record<string, string>;
  timeoutMinutes?: string;
}) {
  dir = await openTempDir();
  const bin = await writeFakeNeuronProfile(dir);
  const blobs = new FileBlobStore(join(dir, 'blobs'));
  harness = runHarness({
    env: { COMPUTE: 'local', RUNNER_BACKEND: 'neuron', RUN_TIMEOUT_MINUTES: options.timeoutMinutes ?? '2' },
    clock: systemClock,
    sleep: realSleep,
    blobs,
    timings: { pollMs: 100, heartbeatMs: 200, progressIntervalMs: 0 },
    compute: (store) =>
      new LocalCompute({
        blobs: store,
        logger: createLogger({ level: 'silent' }),
        workRoot: join(dir as string, 'work'),
        runnerDir: RUNNER_DIR,
        runnerArgs: sandboxArgs(),
        parentEnv: { ...process.env, SLACK_BOT_TOKEN: 'xoxb-must-not-leak', AWS_SECRET_ACCESS_KEY: 'nope' },
        env: {
          PATH: `${bin}:${process.env.PATH ?? ''}`,
          SHERPA_PROGRESS_INTERVAL_SECONDS: '0.1',
          ...options.env,
        },
      }),
  });
  const paper = await seedCodeReadyPaper(harness.deps, 0, { code: options.code });
  const queued = await requestRun(harness.deps, {
    kind: 'approve',
    paperId: paper.id,
    codeHash: paper.currentCodeHash as string,
    userId: 'U0APPROVER1',
  });
  if (queued.kind !== 'queued') throw new Error(`not queued: ${queued.kind}`);
  const [message] = await harness.deps.runQueue.receive({ max: 1, visibilitySeconds: 300 });
  if (!message) throw new Error('no message');
  await executeRun(harness.deps, message);
  return { harness, paper, runId: queued.run.runId };
}

describe('LocalCompute with the real runner', () => {
  it('runs the job on this host and reports metrics and the Neuron profile from the fake profiler', async () => {
    const { harness, paper, runId } = await localHarness({ code: NEURON_STANDIN_TRAINING });
    const stored = await harness.deps.papers.get(paper.id);
    expect(stored?.state).toBe('succeeded');
    const [result] = harness.reporter.results;
    expect(result?.view.status).toBe('succeeded');
    expect(result?.view.metrics?.loss).toMatchObject({
      first: 2.29,
      last: 1.54,
      best: 1.54,
      goal: 'min',
      points: 5,
    });
    expect(result?.view.profile).toMatchObject({
      kind: 'neuron',
      summary: {
        vectorEnginePercent: expect.closeTo(96.454, 2),
        hbmReadBytes: 6582249472,
        totalTimeSeconds: 0.213808050051,
      },
    });
    expect(result?.plot?.png.subarray(1, 4).toString()).toBe('PNG');
    expect(result?.view.cost.instanceUsd).toBe(0);
    // The runner got none of the bot's secrets: they are not in the environment the code saw.
    const resultJson = JSON.parse(
      (await harness.deps.blobs.getText(runKeys({ runId, scope: 'local' }).result)) as string,
    );
    expect(resultJson.sandbox.envKeys).not.toContain('SLACK_BOT_TOKEN');
    expect(resultJson.sandbox.envKeys).not.toContain('AWS_SECRET_ACCESS_KEY');
    expect(harness.reporter.stagesOf(runId)).toEqual(
      expect.arrayContaining(['queued', 'running', 'finished']),
    );
  });

  it('reports a failing script with its class and last log lines', async () => {
    const code = [
      'import json',
      'print("METRICS: " + json.dumps({"loss": 2.0}))',
      'raise ValueError("shapes (4, 8) and (9, 4) not aligned")',
      '',
    ].join('\n');
    const { harness, paper } = await localHarness({ code });
    expect((await harness.deps.papers.get(paper.id))?.state).toBe('failed');
    const failure = harness.reporter.results[0]?.view.failure;
    expect(failure?.class).toBe('python_exception');
    expect(failure?.logLines.join('\n')).toContain('ValueError: shapes (4, 8) and (9, 4) not aligned');
  });
});
