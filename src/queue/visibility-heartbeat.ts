import { StaleReceiptError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { Sleep } from '../ports/sleep.js';
import type { ReceivedMessage, WorkQueue } from '../ports/work-queue.js';

/**
 * Keeps a message invisible while its job runs: every `intervalMs` it extends the visibility (SQS
 * ChangeMessageVisibility; the embedded queue's lease) by `visibilitySeconds`. A stale receipt means another
 * consumer holds the message now: `onLost` tells the job to stop. Any other failure is one missed beat, which
 * is survivable because the next comes well before the visibility runs out.
 */
export class VisibilityHeartbeat<T> {
  private current: ReceivedMessage<T>;
  private readonly done = new AbortController();
  private readonly beating: Promise<void>;

  constructor(
    private readonly queue: WorkQueue<T>,
    message: ReceivedMessage<T>,
    private readonly timing: { intervalMs: number; visibilitySeconds: number },
    private readonly sleep: Sleep,
    private readonly logger: Logger,
    private readonly onLost: () => void,
  ) {
    this.current = message;
    this.beating = this.beat();
  }

  /** Stops beating; resolves with the message and its latest receipt (for the ack or release). */
  async stop(): Promise<ReceivedMessage<T>> {
    this.done.abort();
    await this.beating;
    return this.current;
  }

  private async beat(): Promise<void> {
    for (;;) {
      await this.sleep(this.timing.intervalMs, this.done.signal);
      if (this.done.signal.aborted) return;
      try {
        this.current = await this.queue.extend(this.current, this.timing.visibilitySeconds);
      } catch (error) {
        if (error instanceof StaleReceiptError) {
          this.onLost();
          return;
        }
        this.logger.warn({ err: error }, 'heartbeat failed to extend visibility');
      }
    }
  }
}
