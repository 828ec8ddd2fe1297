import { join } from 'node:path';
import { FileBlobStore } from '../../src/adapters/embedded/index.js';
import { createEc2SsmClients, Ec2SsmCompute } from '../../src/adapters/ec2-ssm/index.js';
import type { RunRecord } from '../../src/domain/run-record.js';
import { createLogger } from '../../src/logging/logger.js';
import type { PaperStore } from '../../src/ports/paper-store.js';
import { realSleep } from '../../src/ports/sleep.js';
import { InstancePool } from '../../src/runs/instance-pool.js';
import { RUNNER_DIR } from '../runner/runner-cli.js';
import { FakeEc2Ssm } from './fake-ec2-ssm.js';
import { writeFakeNeuronProfile } from './fake-neuron-tools.js';
import { gated, ProcessSwitch } from './process-switch.js';
import { runHarness, type RunHarness } from './run-harness.js';
import type { VirtualClock } from './virtual-clock.js';

export const INSTANCE_ID = 'i-0123456789abcdef0';

const ENV_KEYS = [
  'AWS_ENDPOINT_URL_EC2',
  'AWS_ENDPOINT_URL_SSM',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
];

/**
 * What the fake's "agent" gives the real runner on an instance: the fake profiler first on PATH, its cache and
 * run folders under `dir` (a folder from openTempDir, which the sandbox user can reach, never /tmp), code run
 * as `nobody` with Debian's python, and progress every 0.1 s instead of 30 s.
 */
export async function runnerCommandEnv(dir: string): Promise<NodeJS.ProcessEnv> {
  const bin = await writeFakeNeuronProfile(dir);
  return {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    HOME: dir,
    SHERPA_CACHE_DIR: join(dir, 'runner-cache'),
    SHERPA_WORK_ROOT: join(dir, 'work'),
    SHERPA_SANDBOX_USER: 'nobody',
    SHERPA_PYTHON: '/usr/bin/python3',
    SHERPA_PROGRESS_INTERVAL_SECONDS: '0.1',
  };
}

/**
 * The loopback EC2/SSM fake with one running instance whose "agent" runs the real runner, and the AWS SDK
 * pointed at it. `restore()` puts the environment back.
 */
export async function startInstanceFake(
  dir: string,
): Promise<{ fake: FakeEc2Ssm; restore: () => Promise<void> }> {
  const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  const fake = new FakeEc2Ssm({
    instances: { [INSTANCE_ID]: { state: 'running' } },
    commandEnv: await runnerCommandEnv(dir),
  });
  const url = await fake.start();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EC2: url,
    AWS_ENDPOINT_URL_SSM: url,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-for-loopback',
    AWS_REGION: 'us-east-1',
  });
  return {
    fake,
    restore: async () => {
      await fake.close();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}

export interface BotProcess {
  harness: RunHarness;
  control: ProcessSwitch;
}

/**
 * One bot process's run pipeline: its own SQLite connection on the shared DATA_DIR, its own AWS clients and
 * compute adapter, the shared blob folder, and every port behind a switch that can stall or kill the process.
 * `papers` lets a test put a fault between the pipeline and the store.
 */
export function botProcess(options: {
  dir: string;
  clock: VirtualClock;
  papers?: (papers: PaperStore, control: ProcessSwitch) => PaperStore;
}): BotProcess {
  const control = new ProcessSwitch();
  const blobs = new FileBlobStore(join(options.dir, 'blobs'));
  const harness = runHarness({
    dataDir: join(options.dir, 'data'),
    env: {
      RUN_TIMEOUT_MINUTES: '2',
      TRAINIUM_INSTANCE_IDS: INSTANCE_ID,
      TRAINIUM_RUNNER_ROLE_ID: 'AROAEXAMPLE1234567890',
      S3_BUCKET: 'unused-in-this-test',
    },
    // Virtual time (leases and visibility lapse when the test says so), real sleeps (real processes run).
    clock: options.clock,
    sleep: realSleep,
    blobs,
    timings: { pollMs: 50, heartbeatMs: 200, progressIntervalMs: 0 },
    logger: createLogger({ level: process.env.RIG_LOG ?? 'silent' }),
    compute: (store) =>
      new Ec2SsmCompute({
        clients: createEc2SsmClients('us-east-1'),
        instanceIds: [INSTANCE_ID],
        hourlyPriceUsd: 1.34375,
        blobs: store,
        clock: options.clock,
        sleep: realSleep,
        logger: createLogger({ level: 'silent' }),
        runnerDir: RUNNER_DIR,
        budgets: { statePollSeconds: 0.005, agentPollSeconds: 0.005 },
      }),
  });
  const { deps } = harness;
  const papers = options.papers ? options.papers(deps.papers, control) : deps.papers;
  Object.assign(deps, {
    papers: gated(papers, control),
    coordination: gated(deps.coordination, control),
    runQueue: gated(deps.runQueue, control),
    compute: gated(deps.compute, control),
    blobs: gated(deps.blobs, control),
    ledger: gated(deps.ledger, control),
  });
  // The pool was built on the ungated coordination store and compute: rebuild it on the gated ones.
  deps.pool = new InstancePool({
    compute: deps.compute,
    coordination: deps.coordination,
    logger: deps.logger,
  });
  return { harness, control };
}

/**
 * The paper store with a fault at the first write of one run record that matches: `before` runs instead of
 * the write (throw to fail it, never resolve to hang it); `after` runs once the write is stored.
 */
export function faultAtRunWrite(
  papers: PaperStore,
  runId: () => string | undefined,
  matches: (run: RunRecord) => boolean,
  fault: { before?: () => Promise<void>; after?: () => void },
): PaperStore {
  let fired = false;
  return new Proxy(papers, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (property !== 'update' || typeof value !== 'function') return value;
      const update = value as PaperStore['update'];
      return async (...args: Parameters<PaperStore['update']>) => {
        const run = args[1].runs?.find((candidate) => candidate.runId === runId());
        const hit = !fired && run !== undefined && matches(run);
        if (hit) fired = true;
        if (hit && fault.before) await fault.before();
        const stored = await update.apply(object, args);
        if (hit && fault.after) fault.after();
        return stored;
      };
    },
  });
}
