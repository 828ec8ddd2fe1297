/**
 * At-least-once work queues (judge, codegen, run, evolve). Embedded: SQLite. AWS: SQS FIFO.
 * Both pass `test/contracts/work-queue.contract.ts`.
 */
export const QUEUE_NAMES = ['judge', 'codegen', 'run', 'evolve'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface SendOptions {
  /** Messages with the same dedupe id are delivered once (SQS FIFO keeps this for 5 minutes; embedded keeps it forever). */
  dedupeId: string;
  /** Ordering group; Sherpa uses the paper id. */
  groupId: string;
  delaySeconds?: number;
}

export interface ReceivedMessage<T> {
  id: string;
  body: T;
  /** The latest receipt handle; `extend`, `ack` and `release` need it. */
  receipt: string;
  /** 1 on first delivery. */
  attempt: number;
  /** The dedupe id it was sent with, where the queue reports it (the processed-key record is keyed by it). */
  dedupeId?: string;
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
  deadLettered: number;
}

export interface DeadLetter<T> {
  id: string;
  body: T;
  attempts: number;
  lastError?: string;
}

export interface WorkQueue<T> {
  readonly name: QueueName;
  send(body: T, options: SendOptions): Promise<{ messageId: string; duplicate: boolean }>;
  /**
   * Optional bulk form of `send` (one SQLite transaction; SQS SendMessageBatch could back it): same dedupe rules,
   * results in order. Callers fall back to `send` when it is absent.
   */
  sendMany?(
    messages: readonly { body: T; options: SendOptions }[],
  ): Promise<{ messageId: string; duplicate: boolean }[]>;
  /** Messages become invisible for `visibilitySeconds`; redelivered after that unless acked. */
  receive(options: {
    max: number;
    visibilitySeconds: number;
    /**
     * Wait up to this long for a first message: SQS long-polls server-side (at most 20 s); the embedded queue
     * polls with backoff and wakes at once on a send in this process. 0 or absent: look once.
     */
    waitSeconds?: number;
    /** Ends a long poll early (graceful shutdown); resolves with what was received so far, usually nothing. */
    signal?: AbortSignal;
  }): Promise<ReceivedMessage<T>[]>;
  /**
   * Heartbeat: keep a message invisible while work on it continues. Returns the message with its current receipt.
   * Throws `StaleReceiptError` when the receipt is no longer current (the message was redelivered or acked).
   */
  extend(message: ReceivedMessage<T>, visibilitySeconds: number): Promise<ReceivedMessage<T>>;
  /** Delete the message. A stale receipt (the message was redelivered since) changes nothing. */
  ack(message: ReceivedMessage<T>): Promise<void>;
  /** Give up this attempt; the message becomes visible again after `delaySeconds`. */
  release(message: ReceivedMessage<T>, delaySeconds: number, error?: string): Promise<void>;
  depth(): Promise<QueueDepth>;
  /** Position (1-based) of a message with this dedupe id among waiting messages, if it is waiting. */
  position(dedupeId: string): Promise<number | undefined>;
  deadLetters(limit?: number): Promise<DeadLetter<T>[]>;
  /** Move dead-lettered messages back to the queue; returns how many moved. */
  redrive(): Promise<number>;
}
