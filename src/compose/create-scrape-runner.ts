import { SqliteWorkQueue } from '../adapters/embedded/index.js';
import type { CoreDeps } from '../deps.js';
import type { JudgeJob } from '../domain/jobs.js';
import type { WorkQueue } from '../ports/work-queue.js';
import { ScrapeThread } from './scrape-thread.js';
import type { StorageContext } from './storage-context.js';

/**
 * Scrapes run on a thread of their own where everything they write is embedded (`sherpa.db` and `DATA_DIR/blobs`):
 * SQLite is synchronous, and a scrape's writes and FTS5 merging held the event loop that acks Slack (issue 14,
 * item 3). With AWS storage a scrape's writes are network calls, and it stays in this thread with its parsing in
 * slices (`event-loop-slices.ts`).
 */
export function createScrapeRunner(
  context: StorageContext,
  judge: WorkQueue<JudgeJob>,
): Pick<CoreDeps, 'scrapeRunner'> {
  const { storage } = context.config;
  const embedded =
    storage.index.kind === 'sqlite' && storage.queue.kind === 'sqlite' && storage.blob.kind === 'file';
  if (!embedded || context.config.dataDir === ':memory:') return {};
  const thread = new ScrapeThread({
    config: context.config,
    logger: context.logger,
    writeTurns: context.database().turns.buffer,
    ...(judge instanceof SqliteWorkQueue ? { onStored: () => judge.announceArrival() } : {}),
  });
  context.onClose(() => thread.close());
  return { scrapeRunner: thread };
}
