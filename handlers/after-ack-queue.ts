import { setImmediate as yieldToLoop } from 'node:timers/promises';

/** Follow-up work allowed to run at once; the rest waits its turn. */
export const DEFAULT_AFTER_ACK_CONCURRENCY = 4;
/** The longest a follow-up waits for unacknowledged envelopes to be acked before it runs anyway. */
export const DEFAULT_MAX_ACK_WAIT_MS = 1_000;

export interface AfterAckQueueOptions {
  concurrency?: number;
  /**
   * Resolves once no envelope is waiting for its ack, or after `maxWaitMs` (the ack guard's `whenIdle`). Without
   * it, follow-ups only yield one turn of the event loop.
   */
  whenAcksDone?: (maxWaitMs: number) => Promise<void>;
  maxAckWaitMs?: number;
}

/**
 * Work that follows an ack (a subcommand's store reads, its answer through response_url) waits here so that
 * acks come first (issue 14, item 3). Node has no I/O priorities: answers in flight share the event loop with
 * the next envelopes on equal terms, so in a burst every ack waited behind answer work. Here the ack is sent at
 * once; the follow-up yields a turn of the event loop, waits while other envelopes still wait for their ack (at
 * most `maxAckWaitMs`, so an answer is never starved), and at most `concurrency` follow-ups run at a time. In a
 * burst the answers queue instead of the acks: acks have a 3 s deadline, an answer through response_url stays
 * valid for 30 minutes (slack.md §1.3). Outside a burst nothing waits beyond the one turn.
 */
export class AfterAckQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly concurrency: number;
  private readonly maxAckWaitMs: number;

  constructor(private readonly options: AfterAckQueueOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_AFTER_ACK_CONCURRENCY);
    this.maxAckWaitMs = options.maxAckWaitMs ?? DEFAULT_MAX_ACK_WAIT_MS;
  }

  /** Run `work` after pending acks and once a slot is free; settles as `work` does. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const deadline = performance.now() + this.maxAckWaitMs;
    await yieldToLoop();
    await this.acksDone(deadline);
    if (this.running >= this.concurrency) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      // Envelopes that came in while this waited for a slot are acked first too, within the same deadline: one
      // moment without pending acks must not release a whole backlog of answers into the next burst of acks.
      await this.acksDone(deadline);
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

  private async acksDone(deadline: number): Promise<void> {
    const left = deadline - performance.now();
    if (left > 0) await this.options.whenAcksDone?.(left);
  }

  get queued(): number {
    return this.waiting.length;
  }
}
