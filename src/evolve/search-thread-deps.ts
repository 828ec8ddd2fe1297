import type { ThreadRef } from '../domain/paper.js';
import type { EvolveSearch } from '../domain/evolve-search.js';
import type { Logger } from '../logging/logger.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Chat } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import type { CostLedger } from '../ports/cost-ledger.js';
import type { PaperStore } from '../ports/paper-store.js';
import type { SearchStore } from '../ports/search-store.js';

/** What showing a search in its thread needs (`search-thread.ts`, `post-search-summary.ts`). */
export interface SearchThreadDeps {
  searches: SearchStore;
  papers: Pick<PaperStore, 'get'>;
  chat: Chat;
  blobs: BlobStore;
  ledger: Pick<CostLedger, 'entries'>;
  clock: Clock;
  logger: Logger;
  /**
   * Where the plan message's record lives (`plan-message.ts`): with it, the plan is rebuilt when the search ends
   * by itself, so its Stop buttons do not outlive the search.
   */
  coordination?: CoordinationStore;
  /** The objective-by-generation PNG (`src/plots/evolve-plot.ts` by default). */
  renderPlot?: (search: EvolveSearch) => Promise<Buffer | undefined>;
}

/**
 * The ts of a message of this search in the thread, found by its metadata. A thread Sherpa cannot read (no
 * history scope) is logged and treated as "not there": a rare duplicate is visible, a missing leaderboard is not.
 */
export async function findInThread(
  deps: Pick<SearchThreadDeps, 'chat' | 'logger'>,
  thread: ThreadRef,
  eventType: string,
  searchId: string,
): Promise<string | undefined> {
  try {
    const found = await deps.chat.findByMetadata({
      channel: thread.channel,
      thread_ts: thread.ts,
      event_type: eventType,
      matches: (payload) => payload.search_id === searchId,
    });
    return found?.ts;
  } catch (error) {
    deps.logger.warn({ err: error, searchId, eventType }, 'could not look through the thread; posting');
    return undefined;
  }
}
