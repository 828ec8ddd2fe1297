import { webApi } from '@slack/bolt';
import { ChatError } from '../../ports/chat.js';

const { ErrorCode } = webApi;

/**
 * Slack's platform errors that mean "try again later" rather than "this call is wrong" (slack.md §4). Anything
 * else Slack answers with `ok: false` (a bad channel, invalid blocks, a missing scope) will fail again.
 */
const RETRYABLE_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

/** The fields the WebClient puts on the errors it raises (`@slack/web-api` errors.ts). */
interface WebApiErrorLike {
  code?: string;
  statusCode?: number;
  /** Seconds, on a rate-limited error (`rejectRateLimitedCalls`). */
  retryAfter?: number;
  data?: { ok?: unknown; error?: string; needed?: string };
}

function isRetryable(error: unknown): boolean {
  const e = (error ?? {}) as WebApiErrorLike;
  switch (e.code) {
    case ErrorCode.RequestError:
    case ErrorCode.RateLimitedError:
      return true;
    case ErrorCode.HTTPError:
      return (
        e.statusCode === undefined || e.statusCode >= 500 || e.statusCode === 408 || e.statusCode === 429
      );
    case ErrorCode.PlatformError:
      return RETRYABLE_PLATFORM_ERRORS.has(e.data?.error ?? '');
    default:
      // A timeout or reset below the WebClient surfaces as a plain Node error.
      return /ECONNRESET|ETIMEDOUT|ECONNREFUSED|EPIPE|socket hang up|timeout/i.test(
        String((error as Error)?.message),
      );
  }
}

/** A WebClient error as the port's ChatError: Slack's code, refused or not, retryable or not, Retry-After. */
export function toChatError(error: unknown, method: string): ChatError {
  if (error instanceof ChatError) return error;
  const e = (error ?? {}) as WebApiErrorLike;
  const rateLimited = e.code === ErrorCode.RateLimitedError;
  const code = rateLimited ? 'ratelimited' : (e.data?.error ?? e.code ?? 'unknown_error');
  return new ChatError(`Slack ${method} failed: ${code}`, {
    code,
    refused: e.code === ErrorCode.PlatformError && e.data?.ok === false,
    retryable: isRetryable(error),
    ...(rateLimited && e.retryAfter !== undefined ? { retryAfterMs: e.retryAfter * 1000 } : {}),
    ...(e.data?.needed ? { needed: e.data.needed } : {}),
    cause: error,
  });
}
