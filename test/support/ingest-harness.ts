import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FileBlobStore,
  openSherpaDatabase,
  SqliteCoordinationStore,
  SqlitePaperStore,
  SqliteWorkQueue,
  type SherpaDatabase,
} from '../../src/adapters/embedded/index.js';
import type { Config } from '../../src/config/load-config.js';
import { type JudgeJob, JudgeJobSchema } from '../../src/domain/jobs.js';
import type { ScrapeDeps } from '../../src/ingest/run-scrape.js';
import type { Logger } from '../../src/logging/logger.js';
import type { Clock } from '../../src/ports/clock.js';
import type { WorkQueue } from '../../src/ports/work-queue.js';

export interface IngestHarness {
  deps: ScrapeDeps & { queues: { judge: WorkQueue<JudgeJob> } };
  dataDir: string;
  /** Close the database as a crashed process would leave it; `reopen` is the restarted process. */
  close(): void;
  reopen(): IngestHarness;
  /** Remove the data directory (after the last harness on it is closed). */
  remove(): void;
}

/**
 * The embedded defaults on a temporary DATA_DIR (SQLite file + blob folder), exactly as `npm start` uses them.
 * `reopen()` opens the same files again with fresh objects: a process restart.
 */
export function ingestHarness(options: {
  config: Pick<Config, 'sources'>;
  clock: Clock;
  logger: Logger;
  dataDir?: string;
  /** The paper store's ingest transactions (`SqlitePaperStoreOptions.ingestTransactionMs`). */
  ingestTransactionMs?: number;
}): IngestHarness {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sherpa-ingest-'));
  const database: SherpaDatabase = openSherpaDatabase({ dataDir });
  const { clock } = options;
  const deps = {
    config: options.config,
    clock,
    logger: options.logger,
    papers: new SqlitePaperStore(database, {
      clock,
      ...(options.ingestTransactionMs !== undefined
        ? { ingestTransactionMs: options.ingestTransactionMs }
        : {}),
    }),
    blobs: new FileBlobStore(join(dataDir, 'blobs')),
    coordination: new SqliteCoordinationStore(database, { clock }),
    queues: {
      judge: new SqliteWorkQueue<JudgeJob>(database, { name: 'judge', schema: JudgeJobSchema, clock }),
    },
  };
  return {
    deps,
    dataDir,
    close: () => database.close(),
    reopen: () => ingestHarness({ ...options, dataDir }),
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
