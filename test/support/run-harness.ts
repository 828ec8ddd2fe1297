import {
  openSherpaDatabase,
  SqliteCoordinationStore,
  SqliteCostLedger,
  SqlitePaperStore,
  SqliteWorkQueue,
} from '../../src/adapters/embedded/index.js';
import { loadConfig, type Config } from '../../src/config/load-config.js';
import { RunJobSchema, type RunJob } from '../../src/domain/jobs.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import type { BlobStore } from '../../src/ports/blob-store.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Compute } from '../../src/ports/compute.js';
import type { Sleep } from '../../src/ports/sleep.js';
import { DEFAULT_RUN_TIMINGS, type RunTimings, type RunWorkerDeps } from '../../src/runs/execute-run.js';
import { InstancePool } from '../../src/runs/instance-pool.js';
import type { RequestRunDeps } from '../../src/runs/request-run.js';
import { MemoryBlobStore } from './memory-blob-store.js';
import { RecordingReporter } from './recording-reporter.js';
import { VirtualClock } from './virtual-clock.js';
import type { ComputePool } from '../../src/config/compute-pools.js';

export const HARNESS_ENV = {
  SLACK_BOT_TOKEN: 'xoxb-test-token',
  SLACK_APP_TOKEN: 'xapp-test-token',
  SLACK_CHANNEL: 'C0SHERPA01',
  APPROVERS: 'U0APPROVER1',
  TIMEZONE: 'UTC',
};

export interface RunHarness {
  deps: RunWorkerDeps & RequestRunDeps & { runQueue: SqliteWorkQueue<RunJob> };
  clock: Clock;
  reporter: RecordingReporter;
  config: Config;
  close(): void;
}

/**
 * The run pipeline's dependencies on the embedded adapters (SQLite in memory) and a virtual clock, with a
 * compute of the caller's choosing: what the run worker gets in production, minus Slack.
 */
export function runHarness(options: {
  compute: (blobs: BlobStore) => Compute;
  env?: Record<string, string>;
  /** A VirtualClock by default; pass `systemClock` and `realSleep` for runs of real processes. */
  clock?: Clock;
  sleep?: Sleep;
  blobs?: BlobStore;
  timings?: Partial<RunTimings>;
  logger?: Logger;
  /** A data folder several harnesses share, as processes of one bot restarting share DATA_DIR (in memory by default). */
  dataDir?: string;
  /** The pools runs are placed on (issue 12); absent: one fixed pool of the compute's instances. */
  pools?: ComputePool[];
}): RunHarness {
  const database = openSherpaDatabase({ dataDir: options.dataDir ?? ':memory:' });
  const virtual = new VirtualClock('2026-11-23T09:00:00.000Z');
  const clock = options.clock ?? virtual;
  const sleep = options.sleep ?? (clock instanceof VirtualClock ? clock.sleep : virtual.sleep);
  const config = loadConfig({ ...HARNESS_ENV, ...options.env });
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const blobs = options.blobs ?? new MemoryBlobStore('s3://sherpa-test/');
  const compute = options.compute(blobs);
  const coordination = new SqliteCoordinationStore(database, { clock });
  const reporter = new RecordingReporter();
  const runQueue = new SqliteWorkQueue<RunJob>(database, {
    name: 'run',
    schema: RunJobSchema,
    clock,
    pollIntervalMs: 5,
  });
  const deps: RunHarness['deps'] = {
    papers: new SqlitePaperStore(database, { clock }),
    blobs,
    ledger: new SqliteCostLedger(database),
    coordination,
    clock,
    sleep,
    logger,
    reporter,
    config,
    compute,
    pool: new InstancePool({
      compute,
      coordination,
      logger,
      clock,
      ...(options.pools ? { pools: options.pools } : {}),
    }),
    runQueue,
    timings: { ...DEFAULT_RUN_TIMINGS, ...options.timings },
    hourlyPriceUsd: compute.hourlyPriceUsd,
  };
  return { deps, clock, reporter, config, close: () => database.close() };
}
