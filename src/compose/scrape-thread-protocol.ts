/** Messages between the scrape service's runner (`scrape-thread.ts`) and its thread (`scrape-thread-worker.ts`). */
import type { Config } from '../config/load-config.js';
import type { ThreadRef } from '../domain/paper.js';
import type { ScrapeProgress, ScrapeRequest } from '../domain/scrape.js';
import { type ErrorClass, PermanentError, SherpaError, TransientError } from '../errors.js';

/** The thread's `workerData`: the bot's configuration (plain data) and the level its lines are wanted from. */
export interface ScrapeThreadData {
  config: Config;
  logLevel: string;
  /** The bot database's write turns (`write-turns.ts`): the thread's writes let the bot's store calls go first. */
  writeTurns: SharedArrayBuffer | undefined;
}

export type ToScrapeThread =
  | { type: 'scrape'; id: number; request: ScrapeRequest; progressRef?: ThreadRef }
  /** Stop the scrape at its next page boundary; its checkpoint stays for the next run. */
  | { type: 'abort'; id: number };

export type FromScrapeThread =
  | { type: 'progress'; id: number; progress: ScrapeProgress }
  | { type: 'done'; id: number; progress: ScrapeProgress }
  | { type: 'failed'; id: number; error: SentError }
  /** One serialised pino line of the thread's logger, for the bot's logger (and its secret scrubber). */
  | { type: 'log'; line: string };

/**
 * An error as it crosses the thread: a structured clone keeps only an Error's message and stack, and the scrape's
 * failure reply needs its class (transient: "try again"; config: what to set) and its hint.
 */
export interface SentError {
  name: string;
  message: string;
  stack: string | undefined;
  errorClass: ErrorClass | undefined;
  hint: string | undefined;
  retryAfterMs: number | undefined;
}

export function sendableError(error: unknown): SentError {
  const base = error instanceof Error ? error : new Error(String(error));
  return {
    name: base.name,
    message: base.message,
    stack: base.stack,
    errorClass: error instanceof SherpaError ? error.errorClass : undefined,
    hint: error instanceof SherpaError ? error.hint : undefined,
    retryAfterMs: error instanceof TransientError ? error.retryAfterMs : undefined,
  };
}

/** The error again, of the class it had (an adapter's own subclass comes back as the class it extends). */
export function receivedError(sent: SentError): Error {
  const hint = sent.hint === undefined ? {} : { hint: sent.hint };
  const error =
    sent.errorClass === 'transient'
      ? new TransientError(sent.message, {
          ...hint,
          ...(sent.retryAfterMs === undefined ? {} : { retryAfterMs: sent.retryAfterMs }),
        })
      : sent.errorClass === 'permanent'
        ? new PermanentError(sent.message, hint)
        : sent.errorClass === 'config'
          ? new SherpaError('config', sent.message, hint)
          : new Error(sent.message);
  error.name = sent.name;
  if (sent.stack !== undefined) error.stack = sent.stack;
  return error;
}
