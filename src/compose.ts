import { createCronScheduler } from './adapters/node-cron/index.js';
import type { Config } from './config/load-config.js';
import type { CoreDeps } from './deps.js';
import type { Logger } from './logging/logger.js';
import type { Chat } from './ports/chat.js';
import { type Clock, systemClock } from './ports/clock.js';
import { realSleep, type Sleep } from './ports/sleep.js';
import { createBlobStore } from './compose/create-blob-store.js';
import { createChat } from './compose/create-chat.js';
import { createCompute } from './compose/create-compute.js';
import { createIndexStores } from './compose/create-index-stores.js';
import { createPaperLookup, createSourceFactory } from './compose/create-paper-sources.js';
import { createLlm } from './compose/create-llm.js';
import { createQueues } from './compose/create-queues.js';
import { createStorageContext } from './compose/storage-context.js';
import { createScrapeRunner } from './compose/create-scrape-runner.js';
import { KeyedQueue } from './queue/keyed-queue.js';

export interface CreateCoreDepsOptions {
  clock?: Clock;
  sleep?: Sleep;
  /** Deliveries without an ack before a queue message is dead-lettered (default 5). */
  maxQueueAttempts?: number;
  /** The chat workspace; by default Slack's Web API with the bot token at SLACK_API_URL. */
  chat?: Chat;
}

/** CoreDeps plus the one call that releases what composing them opened. */
export interface ComposedCoreDeps extends CoreDeps {
  /** Close every store (the embedded database last). Idempotent. */
  close(): Promise<void>;
}

/**
 * The composition root: builds every port from the configuration, embedded by default and AWS where the
 * environment selects it (`config.storage.*.kind`). Each port's choice lives in one `src/compose/create-*.ts`.
 * If any part fails, whatever was already opened is closed before the error propagates.
 */
export async function createCoreDeps(
  config: Config,
  logger: Logger,
  options: CreateCoreDepsOptions = {},
): Promise<ComposedCoreDeps> {
  const clock = options.clock ?? systemClock;
  const context = createStorageContext({
    config,
    logger,
    clock,
    sleep: options.sleep ?? realSleep,
    maxQueueAttempts: options.maxQueueAttempts ?? 5,
  });
  try {
    const { papers, coordination, ledger, searches } = await createIndexStores(context);
    const blobs = await createBlobStore(context);
    const compute = await createCompute(context, blobs);
    const queues = await createQueues(context);
    const deps: ComposedCoreDeps = {
      config,
      logger,
      clock,
      papers,
      coordination,
      ledger,
      blobs,
      searches,
      ...(compute ? { compute } : {}),
      chat: options.chat ?? createChat(config, logger),
      // SQS forgets a dedupe id after five minutes; the coordination store remembers what was sent and done.
      queues:
        config.storage.queue.kind === 'sqs'
          ? {
              judge: new KeyedQueue(queues.judge, coordination, logger),
              codegen: new KeyedQueue(queues.codegen, coordination, logger),
              run: new KeyedQueue(queues.run, coordination, logger),
              ...(queues.evolve ? { evolve: new KeyedQueue(queues.evolve, coordination, logger) } : {}),
            }
          : queues,
      llm: createLlm(context, ledger),
      scheduler: createCronScheduler(logger),
      sources: createSourceFactory({
        sources: config.sources,
        logger: logger.child({ component: 'sources' }),
        clock,
      }),
      paperLookup: createPaperLookup({ sources: config.sources, logger }),
      ...createScrapeRunner(context, queues.judge),
      close: () => context.closeAll(),
    };
    logger.debug(
      {
        blob: config.storage.blob.kind,
        queue: config.storage.queue.kind,
        index: config.storage.index.kind,
        dataDir: config.dataDir,
      },
      'storage composed',
    );
    return deps;
  } catch (error) {
    await context.closeAll();
    throw error;
  }
}
