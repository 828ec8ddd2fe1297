import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../../../src/adapters/embedded/index.js';
import { createEc2SsmClients, Ec2SsmCompute } from '../../../src/adapters/ec2-ssm/index.js';
import { createLogger } from '../../../src/logging/logger.js';
import { systemClock } from '../../../src/ports/clock.js';
import type { ReadyStep } from '../../../src/ports/compute.js';
import { realSleep } from '../../../src/ports/sleep.js';
import { executeRun } from '../../../src/runs/execute-run.js';
import { requestRun } from '../../../src/runs/request-run.js';
import { FakeEc2Ssm } from '../../support/fake-ec2-ssm.js';
import { NEURON_STANDIN_TRAINING, writeFakeNeuronProfile } from '../../support/fake-neuron-tools.js';
import { runHarness, type RunHarness } from '../../support/run-harness.js';
import { seedCodeReadyPaper } from '../../support/run-fixtures.js';
import { openTempDir, RUNNER_DIR } from '../../runner/runner-cli.js';

const ID = 'i-0123456789abcdef0';
const STANDIN_RUNNER = fileURLToPath(new URL('../../fixtures/ec2-ssm/runner/', import.meta.url));
/** Polls and waits in milliseconds: the fake changes state per request, not per second. */
const FAST = {
  statePollSeconds: 0.005,
  agentPollSeconds: 0.005,
  capacityFirstBackoffSeconds: 0.01,
  capacityMaxBackoffSeconds: 0.02,
};
const ENV_KEYS = [
  'AWS_ENDPOINT_URL_EC2',
  'AWS_ENDPOINT_URL_SSM',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
];

let dir: string;
let fake: FakeEc2Ssm;
let saved: Record<string, string | undefined>;
let harness: RunHarness | undefined;

async function startFake(
  state: 'stopped' | 'stopping' | 'running',
  extra: { invocationLagPolls?: number } = {},
) {
  const bin = await writeFakeNeuronProfile(dir);
  fake = new FakeEc2Ssm({
    instances: { [ID]: { state, pendingPolls: 2, stoppingPolls: 2, agentPolls: 2 } },
    // The "instance": its tools on PATH, the runner's cache in a temp folder, code run as `nobody` with an
    // interpreter that user can reach (as on a DLAMI, where the venv is world-readable).
    commandEnv: {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      HOME: dir,
      SHERPA_CACHE_DIR: join(dir, 'runner-cache'),
      SHERPA_WORK_ROOT: join(dir, 'work'),
      SHERPA_SANDBOX_USER: 'nobody',
      SHERPA_PYTHON: '/usr/bin/python3',
      SHERPA_PROGRESS_INTERVAL_SECONDS: '0.1',
    },
    ...extra,
  });
  const url = await fake.start();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EC2: url,
    AWS_ENDPOINT_URL_SSM: url,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-for-loopback',
    AWS_REGION: 'us-east-1',
  });
}

function compute(
  blobs: FileBlobStore,
  runnerDir = RUNNER_DIR,
  extra: Partial<ConstructorParameters<typeof Ec2SsmCompute>[0]> = {},
) {
  return new Ec2SsmCompute({
    clients: createEc2SsmClients('us-east-1'),
    instanceIds: [ID],
    hourlyPriceUsd: 1.34375,
    blobs,
    clock: systemClock,
    sleep: realSleep,
    logger: createLogger({ level: 'silent' }),
    runnerDir,
    budgets: FAST,
    random: () => 0.5,
    ...extra,
  });
}

beforeEach(async () => {
  saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  dir = await openTempDir();
});

afterEach(async () => {
  harness?.close();
  harness = undefined;
  await fake?.close();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await rm(dir, { recursive: true, force: true });
});

describe('EC2 + SSM against the loopback fake', () => {
  it('starts the stopped instance, sends the bootstrap, and the real runner reports back through the blobs', async () => {
    await startFake('stopped', { invocationLagPolls: 2 });
    const blobs = new FileBlobStore(join(dir, 'blobs'));
    harness = runHarness({
      env: {
        RUN_TIMEOUT_MINUTES: '2',
        TRAINIUM_INSTANCE_IDS: ID,
        TRAINIUM_RUNNER_ROLE_ID: 'AROAEXAMPLE1234567890',
        S3_BUCKET: 'unused-in-this-test',
      },
      clock: systemClock,
      sleep: realSleep,
      blobs,
      timings: { pollMs: 50, heartbeatMs: 200, progressIntervalMs: 0 },
      compute: (store) => compute(store as FileBlobStore),
    });
    const paper = await seedCodeReadyPaper(harness.deps, 0, { code: NEURON_STANDIN_TRAINING });
    const queued = await requestRun(harness.deps, {
      kind: 'approve',
      paperId: paper.id,
      codeHash: paper.currentCodeHash as string,
      userId: 'U0APPROVER1',
    });
    const [message] = await harness.deps.runQueue.receive({ max: 1, visibilitySeconds: 300 });
    await executeRun(harness.deps, message!);

    const stored = await harness.deps.papers.get(paper.id);
    expect(stored?.state).toBe('succeeded');
    expect(fake.actions).toEqual(
      expect.arrayContaining([
        'StartInstances',
        'DescribeInstanceInformation',
        'SendCommand',
        'GetCommandInvocation',
      ]),
    );
    const [sent] = fake.sent;
    expect(sent).toMatchObject({
      instanceId: ID,
      documentName: 'AWS-RunShellScript',
      executionTimeout: '1020',
      timeoutSeconds: 600,
    });
    const script = sent?.commands.join('\n') ?? '';
    expect(script).not.toMatch(/xox[abp]-|xapp-|AKID|fake-secret/);
    const result = harness.reporter.results[0]?.view;
    expect(result?.metrics?.loss).toMatchObject({ first: 2.29, last: 1.54 });
    expect(result?.profile).toMatchObject({ kind: 'neuron', summary: { hbmReadBytes: 6582249472 } });
    expect(queued.kind).toBe('queued');
    const stages = harness.reporter.stages.map((entry) => entry.stage.stage);
    expect(stages).toEqual(
      expect.arrayContaining(['queued', 'starting_instance', 'waiting_for_agent', 'running', 'finished']),
    );
  });

  it('waits for a stopping instance to stop before starting it', async () => {
    await startFake('stopping');
    const steps: ReadyStep[] = [];
    await compute(new FileBlobStore(join(dir, 'blobs'))).ensureReady(ID, (step) => {
      steps.push(step);
    });
    expect(steps[0]?.step).toBe('waiting_for_stop');
    const startAt = fake.actions.indexOf('StartInstances');
    expect(startAt).toBeGreaterThan(fake.actions.indexOf('DescribeInstances'));
    // Two describes saw `stopping`, the third `stopped`; only then the start.
    expect(fake.actions.slice(0, startAt)).toEqual([
      'DescribeInstances',
      'DescribeInstances',
      'DescribeInstances',
    ]);
    expect(fake.stateOf(ID)).toBe('running');
  });

  it('retries InsufficientInstanceCapacity that arrives as an HTTP 500 from EC2', async () => {
    await startFake('stopped');
    // The SDK itself retries a 5xx (maxAttempts 3): three faults make one failed StartInstances call.
    for (let i = 0; i < 3; i += 1) {
      fake.faults.failNext(
        'StartInstances',
        'InsufficientInstanceCapacity',
        500,
        'We currently do not have sufficient trn1.2xlarge capacity in the Availability Zone you requested (us-east-1a).',
      );
    }
    const steps: ReadyStep[] = [];
    await compute(new FileBlobStore(join(dir, 'blobs'))).ensureReady(ID, (step) => {
      steps.push(step);
    });
    const retry = steps.find((step) => step.step === 'capacity_retry');
    expect(retry).toMatchObject({ attempt: 1, message: expect.stringContaining('trn1.2xlarge capacity') });
    expect(steps.at(-1)).toEqual({ step: 'ready', instanceId: ID, startedByUs: true });
    expect(fake.actions.filter((action) => action === 'StartInstances')).toHaveLength(4);
  });

  it('reports a command the agent killed at its executionTimeout as timed out', async () => {
    await startFake('running');
    const ec2 = compute(new FileBlobStore(join(dir, 'blobs')), STANDIN_RUNNER, { commandGraceSeconds: 0 });
    // The stand-in bootstrap sleeps (in a grandchild) far past the 1 s limit.
    const handle = await ec2.startRun(ID, {
      runId: 'r_timeout',
      jobKey: 'runs/r_timeout/job.json',
      timeoutSeconds: 1,
      dispatchKey: 'r_timeout.d1',
      sendBy: new Date(Date.now() + 60_000),
    });
    expect(fake.sent[0]?.executionTimeout).toBe('1');
    let poll = await ec2.pollRun(handle);
    while (poll.state !== 'finished') {
      await realSleep(50);
      poll = await ec2.pollRun(handle);
    }
    expect(poll).toMatchObject({ outcome: 'timed_out', exitCode: null, detail: 'Execution Timed Out' });
  });
});
