import type { ThreadRef } from '../domain/paper.js';
import type { Logger } from '../logging/logger.js';
import type { Chat } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import { scrapeProgressMessage, type ScrapeProgressView } from '../messages/scrape-progress.js';

/** chat.update is Tier 3 (about 50 a minute, slack.md §3): one edit every 2 s at most per scrape. */
const MIN_UPDATE_INTERVAL_MS = 2000;

/**
 * The scrape's one message in the channel: posted at the start, edited in place as pages are stored (the first
 * page always shows, later ones at most every 2 s), and left as the summary. A failure also gets a reply in the
 * message's thread. Slack errors are logged and never stop the scrape.
 */
export class SlackScrapeReporter {
  private ref: ThreadRef | undefined;
  private lastUpdateAt = Number.NEGATIVE_INFINITY;
  private pagesShown = 0;

  constructor(
    private readonly chat: Chat,
    private readonly channel: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  get message(): ThreadRef | undefined {
    return this.ref;
  }

  /** Post the message, or take over the one a crashed attempt of the same scrape left behind. */
  async open(view: ScrapeProgressView, existing?: ThreadRef): Promise<ThreadRef | undefined> {
    if (existing && (await this.edit(existing, view))) {
      this.ref = existing;
      return existing;
    }
    try {
      this.ref = await this.chat.post({ channel: this.channel, ...scrapeProgressMessage(view) });
    } catch (error) {
      this.logger.warn({ err: error }, 'could not post the scrape progress message');
    }
    this.lastUpdateAt = this.clock.now().getTime();
    return this.ref;
  }

  async progress(view: ScrapeProgressView): Promise<void> {
    if (view.tally.fetched === 0) return;
    const now = this.clock.now().getTime();
    if (this.pagesShown > 0 && now - this.lastUpdateAt < MIN_UPDATE_INTERVAL_MS) return;
    this.pagesShown++;
    this.lastUpdateAt = now;
    if (this.ref) await this.edit(this.ref, view);
  }

  async finish(view: ScrapeProgressView): Promise<void> {
    if (this.ref) await this.edit(this.ref, view);
  }

  /** The summary turns into the failure, and the thread gets the reason and what happens next. */
  async fail(view: ScrapeProgressView, detail: string): Promise<void> {
    if (!this.ref) return;
    await this.edit(this.ref, view);
    try {
      await this.chat.post({ channel: this.ref.channel, thread_ts: this.ref.ts, text: detail });
    } catch (error) {
      this.logger.warn({ err: error }, 'could not post the scrape failure in its thread');
    }
  }

  private async edit(ref: ThreadRef, view: ScrapeProgressView): Promise<boolean> {
    try {
      await this.chat.update({ channel: ref.channel, ts: ref.ts, ...scrapeProgressMessage(view) });
      return true;
    } catch (error) {
      this.logger.warn({ err: error, ts: ref.ts }, 'could not update the scrape progress message');
      return false;
    }
  }
}
