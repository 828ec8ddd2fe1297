import type { Logger } from '../logging/logger.js';
import type { ReceivedMessage } from '../ports/work-queue.js';

export interface JobContext {
  /** A child logger carrying the queue, message id and attempt. */
  logger: Logger;
  /**
   * Aborts when the job should wrap up: its message was lost (its visibility ran out and another consumer got
   * it), or the consumer is stopping and its stop deadline has passed.
   */
  signal: AbortSignal;
  /**
   * Stop receiving from this queue for `seconds` (work in flight goes on): for a dependency that will not come
   * back soon, such as a model not enabled. Returns false when the consumer was already paused.
   */
  pause(seconds: number): boolean;
}

/**
 * What to do with the message once the handler returns. Nothing (or `ack`): the work is done, delete it.
 * `retry`: offer it again after the jittered backoff for this attempt (or `delaySeconds`); each retry is a
 * receive, so the queue dead-letters it after its last attempt. `settled`: the handler acked or released the
 * message itself (a run decides between "done", "busy, later" and "hand back now" as it goes).
 */
export type JobOutcome =
  void | { kind: 'ack' } | { kind: 'retry'; error: unknown; delaySeconds?: number } | { kind: 'settled' };

/**
 * One job. Resolve with an outcome; throw a PermanentError to report and drop it, anything else (a
 * TransientError, or a bug) to retry it with backoff, so that a bug ends in the dead-letter queue, not a hot loop.
 */
export type JobHandler<T> = (message: ReceivedMessage<T>, context: JobContext) => Promise<JobOutcome>;
