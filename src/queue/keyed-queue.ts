import type { Logger } from '../logging/logger.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import type {
  DeadLetter,
  QueueDepth,
  QueueName,
  ReceivedMessage,
  SendOptions,
  WorkQueue,
} from '../ports/work-queue.js';

/** SQS keeps a message at most 14 days; a key need not outlive any message sent under it. */
const KEY_TTL_SECONDS = 14 * 86_400;

interface SentRecord {
  messageId: string;
}

/**
 * Dedupe ids that outlive SQS's five-minute window (issue 10, build item 4). Two records per key in the
 * coordination store: "sent" once a send under it succeeded, so a sweep that offers the job again sends only
 * what has no message; and "processed" once a message under it was acked, checked before a delivery is handed
 * to a worker, so a copy that slipped through (a crash between the send and its record) is dropped rather than
 * worked twice. Embedded queues need none of this: their dedupe ids are kept for ever in the same database.
 */
export class KeyedQueue<T> implements WorkQueue<T> {
  readonly name: QueueName;

  constructor(
    /** The queue underneath (SQS), for the composition tests. */
    readonly inner: WorkQueue<T>,
    private readonly store: CoordinationStore,
    private readonly logger: Logger,
  ) {
    this.name = inner.name;
  }

  async send(body: T, options: SendOptions): Promise<{ messageId: string; duplicate: boolean }> {
    const sent = await this.store.get<SentRecord>(this.sentKey(options.dedupeId));
    if (sent) return { messageId: sent.value.messageId, duplicate: true };
    const result = await this.inner.send(body, options);
    await this.remember(options.dedupeId, result.messageId);
    return result;
  }

  async sendMany(
    messages: readonly { body: T; options: SendOptions }[],
  ): Promise<{ messageId: string; duplicate: boolean }[]> {
    const results: { messageId: string; duplicate: boolean }[] = [];
    for (const message of messages) results.push(await this.send(message.body, message.options));
    return results;
  }

  async receive(options: Parameters<WorkQueue<T>['receive']>[0]): Promise<ReceivedMessage<T>[]> {
    const fresh: ReceivedMessage<T>[] = [];
    for (const message of await this.inner.receive(options)) {
      const done = message.dedupeId && (await this.store.get(this.processedKey(message.dedupeId)));
      if (!done) {
        fresh.push(message);
        continue;
      }
      this.logger.warn(
        { queue: this.name, messageId: message.id, dedupeId: message.dedupeId },
        'dropped a copy of a job already processed',
      );
      await this.inner.ack(message);
    }
    return fresh;
  }

  /** Recorded before the delete: a crash in between leaves a message the next receive drops. */
  async ack(message: ReceivedMessage<T>): Promise<void> {
    if (message.dedupeId) {
      await this.store.put(
        this.processedKey(message.dedupeId),
        { at: message.id },
        { ttlSeconds: KEY_TTL_SECONDS },
      );
    }
    await this.inner.ack(message);
  }

  async extend(message: ReceivedMessage<T>, visibilitySeconds: number): Promise<ReceivedMessage<T>> {
    const extended = await this.inner.extend(message, visibilitySeconds);
    return message.dedupeId ? { ...extended, dedupeId: message.dedupeId } : extended;
  }

  release(message: ReceivedMessage<T>, delaySeconds: number, error?: string): Promise<void> {
    return this.inner.release(message, delaySeconds, error);
  }

  depth(): Promise<QueueDepth> {
    return this.inner.depth();
  }

  position(dedupeId: string): Promise<number | undefined> {
    return this.inner.position(dedupeId);
  }

  deadLetters(limit?: number): Promise<DeadLetter<T>[]> {
    return this.inner.deadLetters(limit);
  }

  redrive(): Promise<number> {
    return this.inner.redrive();
  }

  private async remember(dedupeId: string, messageId: string): Promise<void> {
    try {
      await this.store.put<SentRecord>(
        this.sentKey(dedupeId),
        { messageId },
        { ttlSeconds: KEY_TTL_SECONDS },
      );
    } catch (error) {
      // The message is on the queue; without the record a sweep may send a copy, which "processed" then drops.
      this.logger.warn({ err: error, queue: this.name, dedupeId }, 'could not record a sent job');
    }
  }

  private sentKey(dedupeId: string): string {
    return `queue-sent/${this.name}/${dedupeId}`;
  }

  private processedKey(dedupeId: string): string {
    return `queue-processed/${this.name}/${dedupeId}`;
  }
}
