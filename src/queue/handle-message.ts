import { PermanentError, SherpaError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../ports/clock.js';
import type { Sleep } from '../ports/sleep.js';
import type { ReceivedMessage, WorkQueue } from '../ports/work-queue.js';
import type { JobContext, JobHandler, JobOutcome } from './job-handler.js';
import { retryDelaySeconds, type RetryBackoff } from './retry-delay.js';
import { VisibilityHeartbeat } from './visibility-heartbeat.js';

export interface MessageHandling<T> {
  queue: WorkQueue<T>;
  handle: JobHandler<T>;
  visibilitySeconds: number;
  /** How often visibility is extended while the job runs (default a third of `visibilitySeconds`). */
  heartbeatMs?: number;
  retry: RetryBackoff;
  random: () => number;
  onPermanentFailure?: (message: ReceivedMessage<T>, error: PermanentError) => Promise<void>;
  logger: Logger;
  clock: Clock;
  sleep: Sleep;
}

type Settled = { ok: true; outcome: JobOutcome } | { ok: false; error: unknown };

/**
 * One delivery, start to finish: run the handler under a visibility heartbeat, then ack, release with backoff,
 * or report and drop, as its outcome says. A message lost meanwhile is left to its new holder; a settlement that
 * fails leaves the message to come back after its visibility timeout (at-least-once, never lost).
 */
export async function handleMessage<T>(
  options: MessageHandling<T>,
  received: ReceivedMessage<T>,
  consumer: { wrapUp: AbortSignal; pause: JobContext['pause'] },
): Promise<void> {
  const logger = options.logger.child({ messageId: received.id, attempt: received.attempt });
  const lost = new AbortController();
  const heartbeat = new VisibilityHeartbeat(
    options.queue,
    received,
    {
      intervalMs: options.heartbeatMs ?? Math.max(1000, (options.visibilitySeconds * 1000) / 3),
      visibilitySeconds: options.visibilitySeconds,
    },
    options.sleep,
    logger,
    () => lost.abort(),
  );
  const startedAt = options.clock.now().getTime();
  const signal = AbortSignal.any([lost.signal, consumer.wrapUp]);
  let settled: Settled;
  try {
    settled = {
      ok: true,
      outcome: await options.handle(received, { logger, signal, pause: consumer.pause }),
    };
  } catch (error) {
    settled = { ok: false, error };
  }
  const message = await heartbeat.stop();
  const ms = options.clock.now().getTime() - startedAt;
  if (lost.signal.aborted) {
    logger.warn({ ms }, 'message was redelivered while being handled; leaving it to its new holder');
    return;
  }
  try {
    await settle(options, message, settled, logger);
    logger.debug({ ms }, 'message handled');
  } catch (error) {
    logger.error({ err: error }, 'could not settle a message; it will be redelivered');
  }
}

async function settle<T>(
  options: MessageHandling<T>,
  message: ReceivedMessage<T>,
  settled: Settled,
  logger: Logger,
): Promise<void> {
  if (settled.ok) {
    const outcome = settled.outcome;
    if (!outcome || outcome.kind === 'ack') return options.queue.ack(message);
    if (outcome.kind === 'settled') return;
    return retry(options, message, outcome.error, logger, outcome.delaySeconds);
  }
  const error = settled.error;
  if (!(error instanceof PermanentError)) return retry(options, message, error, logger);
  logger.error({ err: error }, 'message failed permanently; reporting and dropping it');
  try {
    await options.onPermanentFailure?.(message, error);
  } catch (reportError) {
    const delay = retryDelaySeconds(reportError, message.attempt, options.retry, options.random);
    logger.error({ err: reportError, delaySeconds: delay }, 'reporting the failure failed; retrying later');
    return options.queue.release(message, delay, describe(error));
  }
  return options.queue.ack(message);
}

async function retry<T>(
  options: MessageHandling<T>,
  message: ReceivedMessage<T>,
  error: unknown,
  logger: Logger,
  delaySeconds?: number,
): Promise<void> {
  const delay = delaySeconds ?? retryDelaySeconds(error, message.attempt, options.retry, options.random);
  const level = error instanceof SherpaError ? 'warn' : 'error';
  logger[level]({ err: error, delaySeconds: delay }, 'message failed; releasing it for a retry');
  await options.queue.release(message, delay, describe(error));
}

function describe(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 1000);
}
