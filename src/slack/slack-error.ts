import { PermanentError, SherpaError, TransientError } from '../errors.js';

/**
 * What a failed Web API call means for the caller: worth trying again later (network, 5xx, rate limits,
 * Slack's own "try again" errors) or not (a bad channel, invalid blocks, a missing scope). The WebClient
 * raises errors with a `code` naming the kind and, for platform errors, Slack's `data.error`.
 */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

interface WebApiErrorLike {
  code?: string;
  statusCode?: number;
  retryAfter?: number;
  data?: { error?: string };
}

export function slackErrorCode(error: unknown): string | undefined {
  const e = (error ?? {}) as WebApiErrorLike;
  return e.data?.error ?? e.code;
}

export function isTransientSlackError(error: unknown): boolean {
  if (error instanceof SherpaError) return error.errorClass === 'transient';
  const e = (error ?? {}) as WebApiErrorLike;
  switch (e.code) {
    case 'slack_webapi_request_error':
    case 'slack_webapi_rate_limited':
      return true;
    case 'slack_webapi_http_error':
      return (
        e.statusCode === undefined || e.statusCode >= 500 || e.statusCode === 408 || e.statusCode === 429
      );
    case 'slack_webapi_platform_error':
      return TRANSIENT_PLATFORM_ERRORS.has(e.data?.error ?? '');
    default:
      // A timeout or reset below the WebClient surfaces as a plain Node error.
      return /ECONNRESET|ETIMEDOUT|ECONNREFUSED|EPIPE|socket hang up|timeout/i.test(
        String((error as Error)?.message),
      );
  }
}

/** The error as a classified SherpaError, naming the call and Slack's code; the original stays as the cause. */
export function classifySlackError(error: unknown, what: string): SherpaError {
  if (error instanceof SherpaError) return error;
  const code = slackErrorCode(error) ?? 'unknown_error';
  const message = `Slack ${what} failed: ${code}`;
  const retryAfterMs = ((error ?? {}) as WebApiErrorLike).retryAfter;
  return isTransientSlackError(error)
    ? new TransientError(message, {
        cause: error,
        ...(retryAfterMs !== undefined ? { retryAfterMs: retryAfterMs * 1000 } : {}),
      })
    : new PermanentError(message, { cause: error });
}
