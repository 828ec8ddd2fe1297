import { setImmediate as yieldToLoop } from 'node:timers/promises';

/** Follow-up work allowed to run at once; the rest waits its turn (default). */
export const DEFAULT_AFTER_ACK_CONCURRENCY = 4;

/**
 * Work that follows an ack (a subcommand's store reads, its answer through response_url) waits here so that
 * acks come first (issue 14, item 3). Node has no I/O priorities: twenty answers in flight share the event
 * loop with the next envelopes on equal terms, and every ack then waits behind answer work. Here the ack is
 * sent at once, the follow-up yields one turn of the event loop (envelopes already read get acked first), and
 * at most `concurrency` follow-ups run at a time, so under a burst the answers queue instead of the acks.
 * Acks have a 3 s deadline; answers through response_url stay valid for 30 minutes (slack.md §1.3).
 */
export class AfterAckQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly concurrency = DEFAULT_AFTER_ACK_CONCURRENCY) {}

  /** Run `work` once a slot is free, after at least one turn of the event loop; settles as `work` does. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await yieldToLoop();
    if (this.running >= this.concurrency) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; `running` only drops when nobody waits.
      if (next) next();
      else this.running -= 1;
    }
  }

  get queued(): number {
    return this.waiting.length;
  }
}
