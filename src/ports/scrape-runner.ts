import type { ThreadRef } from '../domain/paper.js';
import type { ScrapeProgress, ScrapeRequest } from '../domain/scrape.js';

export interface ScrapeRunOptions {
  signal?: AbortSignal;
  /** Called once before the first page and after every stored page. */
  onProgress?: (progress: ScrapeProgress) => Promise<void>;
  /** The progress message, remembered in the checkpoint so a resumed scrape updates the same one. */
  progressRef?: ThreadRef;
}

/**
 * Where a whole scrape runs (fetch → normalise → dedupe → store → index → enqueue) once the scrape service holds
 * its lease and has posted its progress message. The embedded default runs it on a thread of its own
 * (`src/compose/scrape-thread.ts`), so a venue's parsing, its garbage and its SQLite writes never hold the event
 * loop that acks Slack (issue 14, item 3); without a runner it runs in the bot's own thread (`runScrape`).
 */
export interface ScrapeRunner {
  /** Resolves with the finished scrape's progress; rejects as `runScrape` does, its checkpoint kept. */
  run(request: ScrapeRequest, options?: ScrapeRunOptions): Promise<ScrapeProgress>;
  /**
   * A scrape will run soon: the service holds its lease and is about to post its progress message. A runner
   * that needs time to start (a thread) starts now, so its start overlaps that round trip to Slack.
   */
  prepare?(): void;
}
