import type { Config } from './config/load-config.js';
import type { Logger } from './logging/logger.js';
import type { BlobStore } from './ports/blob-store.js';
import type { Chat } from './ports/chat.js';
import type { Clock } from './ports/clock.js';
import type { Compute } from './ports/compute.js';
import type { CoordinationStore } from './ports/coordination-store.js';
import type { CostLedger } from './ports/cost-ledger.js';
import type { Llm } from './ports/llm.js';
import type { PaperLookup, PaperSourceFactory } from './ports/paper-source.js';
import type { PaperStore } from './ports/paper-store.js';
import type { ScrapeRunner } from './ports/scrape-runner.js';
import type { Scheduler } from './ports/scheduler.js';
import type { SearchStore } from './ports/search-store.js';
import type { WorkQueue } from './ports/work-queue.js';
import type { CodegenJob, EvolveJob, JudgeJob, RunJob } from './domain/jobs.js';

/**
 * Everything a handler or job needs, passed in explicitly (no module-level singletons), so tests can
 * hand in the embedded adapters and fakes. Capabilities that arrive with later issues add optional fields.
 */
export interface CoreDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  papers: PaperStore;
  coordination: CoordinationStore;
  ledger: CostLedger;
  blobs: BlobStore;
  /** The chat workspace (Slack at SLACK_API_URL, `src/adapters/slack/`): stages post, update and search with it. */
  chat: Chat;
  queues: {
    judge: WorkQueue<JudgeJob>;
    codegen: WorkQueue<CodegenJob>;
    run: WorkQueue<RunJob>;
    /**
     * Evolve searches (issue 13). Absent only on SQS when SQS_EVOLVE_QUEUE_URL is unset (a stack deployed before
     * issue 13 has no such queue): the other queues keep working and Evolve says what to set.
     */
    evolve?: WorkQueue<EvolveJob>;
  };
  /**
   * The LLM (Bedrock in production, `src/adapters/bedrock/`). Optional so that handlers and jobs that never
   * call a model need no fake; the judge and code generation require it (`JudgeDeps`).
   */
  llm?: Llm;
  /** Evolve searches (issue 13, item 7): SQLite in the embedded default, OpenSearch with `OPENSEARCH_URL`. */
  searches: SearchStore;
  /** Where approved code runs (`COMPUTE=ec2|local`); absent with `COMPUTE=none`, and the Run buttons say so. */
  compute?: Compute;
  /**
   * Cron schedules (the daily digest, the scheduled scrapes): node-cron, composed in `src/compose/`. Tests put a
   * scheduler they fire by hand here.
   */
  scheduler: Scheduler;
  /** The listing adapters (OpenReview, arXiv, MLSys) `/scrape` and the scheduled scrapes read. */
  sources: PaperSourceFactory;
  /** One paper by arXiv or OpenReview id, for `/paper run` of a paper Sherpa has not seen. */
  paperLookup: PaperLookup;
  /**
   * Where scrapes run: a thread of their own in the embedded default (`src/compose/scrape-thread.ts`); absent,
   * in this thread through `sources`, `papers`, `blobs` and `queues.judge`. The thread builds its own adapters
   * from the config, so a test that wraps one of those ports for a scrape leaves this out.
   */
  scrapeRunner?: ScrapeRunner;
}
