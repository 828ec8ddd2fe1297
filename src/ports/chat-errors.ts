import { PermanentError, SherpaError, TransientError } from '../errors.js';
import { ChatError } from './chat.js';

/**
 * What a failed chat call means for a stage: worth trying again later (network, 5xx, rate limits, Slack's own
 * "try again" errors) or not (a bad channel, invalid blocks, a missing scope). The Chat adapter has already
 * classified its failures (`ChatError`); anything else is judged by its message, as a Node network error.
 */
export function slackErrorCode(error: unknown): string | undefined {
  if (error instanceof ChatError) return error.code;
  return ((error ?? {}) as { code?: string }).code;
}

export function isTransientSlackError(error: unknown): boolean {
  if (error instanceof SherpaError) return error.errorClass === 'transient';
  if (error instanceof ChatError) return error.retryable;
  return /ECONNRESET|ETIMEDOUT|ECONNREFUSED|EPIPE|socket hang up|timeout/i.test(
    String((error as Error)?.message),
  );
}

/** The error as a classified SherpaError, naming the call and Slack's code; the original stays as the cause. */
export function classifySlackError(error: unknown, what: string): SherpaError {
  if (error instanceof SherpaError) return error;
  const code = slackErrorCode(error) ?? 'unknown_error';
  const message = `Slack ${what} failed: ${code}`;
  const retryAfterMs = error instanceof ChatError ? error.retryAfterMs : undefined;
  return isTransientSlackError(error)
    ? new TransientError(message, { cause: error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) })
    : new PermanentError(message, { cause: error });
}

/**
 * True when Slack answered a call with `ok: false` (a platform error such as `channel_not_found`): the call
 * reached Slack and was refused, so a post definitely did not happen. A timeout, a dropped connection or a
 * 5xx is not a refusal: the post may have landed, and only a look at the channel can tell.
 */
export function slackRefused(error: unknown): boolean {
  return error instanceof ChatError && error.refused;
}
