import { TransientError } from '../errors.js';

export interface RetryBackoff {
  baseSeconds: number;
  maxSeconds: number;
}

export const DEFAULT_RETRY_BACKOFF: RetryBackoff = { baseSeconds: 5, maxSeconds: 900 };
/** SQS caps visibility at 12 hours; a longer delay cannot be expressed. */
const MAX_DELAY_SECONDS = 43_200;

/**
 * Seconds before a failed job is offered again: the server's Retry-After when it gave one, otherwise
 * exponential in the attempt with "equal jitter" (half fixed, half random) so that consumers spread out.
 */
export function retryDelaySeconds(
  error: unknown,
  attempt: number,
  backoff: RetryBackoff = DEFAULT_RETRY_BACKOFF,
  random: () => number = Math.random,
): number {
  if (error instanceof TransientError && error.retryAfterMs !== undefined) {
    return Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  }
  const ceiling = Math.min(backoff.maxSeconds, backoff.baseSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.round(ceiling / 2 + (random() * ceiling) / 2)));
}
