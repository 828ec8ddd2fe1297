/**
 * The scrape thread (`scrape-thread.ts` starts it): whole scrapes, fetch → normalise → dedupe → store → index →
 * enqueue, on a connection of its own to `sherpa.db`, so that a venue's parsing, the garbage it makes and its
 * SQLite writes and FTS5 merging never hold the bot's event loop (issue 14, item 3). It composes only what a
 * scrape uses, from the same configuration as the bot and with the same factories.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import {
  OFF_LOOP_INGEST_TRANSACTION_MS,
  SqliteCoordinationStore,
  SqlitePaperStore,
} from '../adapters/embedded/index.js';
import type { ScrapeRequest } from '../domain/scrape.js';
import type { ThreadRef } from '../domain/paper.js';
import { TransientError } from '../errors.js';
import { runScrape, type ScrapeDeps } from '../ingest/run-scrape.js';
import { systemClock } from '../ports/clock.js';
import type { PaperSourceFactory } from '../ports/paper-source.js';
import { realSleep } from '../ports/sleep.js';
import { lowerThreadPriority } from '../worker-threads.js';
import { createBlobStore } from './create-blob-store.js';
import { createSourceFactory } from './create-paper-sources.js';
import { createQueues } from './create-queues.js';
import { createStorageContext } from './storage-context.js';
import {
  type FromScrapeThread,
  type ScrapeThreadData,
  sendableError,
  type ToScrapeThread,
} from './scrape-thread-protocol.js';

if (!parentPort) throw new Error('scrape-thread-worker.ts runs as a worker thread');
const port = parentPort;
// Acks first: the scrape takes what CPU the bot's thread leaves (a 2-core machine has one to spare at best).
lowerThreadPriority();
const { config, logLevel, writeTurns } = workerData as ScrapeThreadData;
const post = (message: FromScrapeThread) => port.postMessage(message);

// Every line goes to the bot's logger, which scrubs secrets and writes it where the bot's lines go.
const logger = pino(
  { level: logLevel, base: undefined },
  { write: (line: string) => post({ type: 'log', line }) },
);

interface Composed {
  deps: ScrapeDeps;
  sources: PaperSourceFactory;
}

let composed: Promise<Composed> | undefined;

/**
 * Composed on the first scrape: a failure (DATA_DIR unwritable) is that scrape's failure, reported in its thread,
 * and the next scrape composes again, so a fixed DATA_DIR works without waiting for the thread to be let go.
 */
function compose(): Promise<Composed> {
  composed ??= (async () => {
    const clock = systemClock;
    const context = createStorageContext({
      config,
      logger,
      clock,
      sleep: realSleep,
      // The thread only sends to the judge queue; attempts count where messages are received, in the bot.
      maxQueueAttempts: 5,
      ...(writeTurns ? { writesBehind: writeTurns } : {}),
    });
    const database = context.database();
    // No read workers or WAL maintenance thread of its own: this thread is already off the bot's event loop. Its
    // ingest writes in longer transactions than the bot's thread may: fewer FTS5 segments to merge.
    const papers = new SqlitePaperStore(database, {
      clock,
      ingestTransactionMs: OFF_LOOP_INGEST_TRANSACTION_MS,
    });
    const queues = await createQueues(context);
    const deps: ScrapeDeps = {
      config,
      clock,
      logger,
      papers,
      coordination: new SqliteCoordinationStore(database, { clock }),
      blobs: await createBlobStore(context),
      queues: { judge: queues.judge },
    };
    const sources = createSourceFactory({
      sources: config.sources,
      logger: logger.child({ component: 'sources' }),
      clock,
    });
    return { deps, sources };
  })();
  composed.catch(() => (composed = undefined));
  return composed;
}

const running = new Map<number, AbortController>();

async function scrape(id: number, request: ScrapeRequest, progressRef: ThreadRef | undefined) {
  const controller = new AbortController();
  running.set(id, controller);
  try {
    const { deps, sources } = await compose();
    const progress = await runScrape(deps, sources, request, {
      signal: controller.signal,
      ...(progressRef ? { progressRef } : {}),
      onProgress: async (snapshot) => post({ type: 'progress', id, progress: snapshot }),
    });
    post({ type: 'done', id, progress });
  } catch (error) {
    post({ type: 'failed', id, error: sendableError(error) });
  } finally {
    running.delete(id);
  }
}

port.on('message', (message: ToScrapeThread) => {
  if (message.type === 'abort') {
    running.get(message.id)?.abort(new TransientError('The scrape was stopped'));
    return;
  }
  void scrape(message.id, message.request, message.progressRef);
});
