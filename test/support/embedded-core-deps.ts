import {
  openSherpaDatabase,
  SqliteCoordinationStore,
  SqliteCostLedger,
  SqlitePaperStore,
  SqliteSearchStore,
  SqliteWorkQueue,
} from '../../src/adapters/embedded/index.js';
import { SlackChat } from '../../src/adapters/slack/index.js';
import { createPaperLookup, createSourceFactory } from '../../src/compose/create-paper-sources.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { CoreDeps } from '../../src/deps.js';
import { CodegenJobSchema, EvolveJobSchema, JudgeJobSchema, RunJobSchema } from '../../src/domain/jobs.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Llm } from '../../src/ports/llm.js';
import type { ZodType } from 'zod';
import { ManualScheduler } from './manual-scheduler.js';
import { MemoryBlobStore } from './memory-blob-store.js';
import type { SlackFake } from './slack-fake/index.js';

/** A clock a test moves by hand. */
export class ManualClock implements Clock {
  private current: Date;
  constructor(start = '2026-11-23T09:00:00.000Z') {
    this.current = new Date(start);
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface EmbeddedCoreDeps {
  deps: CoreDeps & { llm?: Llm; blobs: MemoryBlobStore };
  clock: ManualClock;
  close(): void;
}

/**
 * The embedded adapters in memory plus the Chat adapter pointed at the Slack fake: the dependencies a job or
 * handler gets in production, for tests that call domain code directly rather than through the Bolt app.
 */
export function embeddedCoreDeps(
  slack: SlackFake,
  options: {
    env?: Record<string, string>;
    llm?: Llm;
    logger?: Logger;
    clock?: ManualClock;
    /** A DATA_DIR on disk, so a test can abandon this service and start a fresh one on the same file. */
    dataDir?: string;
  } = {},
): EmbeddedCoreDeps {
  const database = openSherpaDatabase({ dataDir: options.dataDir ?? ':memory:' });
  const clock = options.clock ?? new ManualClock();
  const config = loadConfig({
    ...slack.env(),
    APPROVERS: 'U0APPROVER1',
    TIMEZONE: 'Europe/Berlin',
    ...options.env,
  });
  const queue = <T>(name: 'judge' | 'codegen' | 'run' | 'evolve', schema: ZodType<T>) =>
    new SqliteWorkQueue<T>(database, { name, schema, clock, pollIntervalMs: 5 });
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const deps: EmbeddedCoreDeps['deps'] = {
    config,
    logger,
    clock,
    papers: new SqlitePaperStore(database, { clock }),
    coordination: new SqliteCoordinationStore(database, { clock }),
    ledger: new SqliteCostLedger(database),
    searches: new SqliteSearchStore(database, { clock }),
    blobs: new MemoryBlobStore(),
    // The production adapter on the fake; a failed call fails at once instead of the WebClient retrying it.
    chat: new SlackChat({
      token: slack.identity.botToken,
      apiUrl: slack.apiUrl,
      logger,
      retryConfig: { retries: 0 },
    }),
    queues: {
      judge: queue('judge', JudgeJobSchema),
      codegen: queue('codegen', CodegenJobSchema),
      run: queue('run', RunJobSchema),
      evolve: queue('evolve', EvolveJobSchema),
    },
    ...(options.llm ? { llm: options.llm } : {}),
    // What `src/compose.ts` composes: the real source adapters (pointed at the fakes by the env), and a
    // scheduler that fires only when the test says so.
    scheduler: new ManualScheduler(),
    sources: createSourceFactory({ sources: config.sources, logger, clock }),
    paperLookup: createPaperLookup({ sources: config.sources, logger }),
  };
  return { deps, clock, close: () => database.close() };
}
