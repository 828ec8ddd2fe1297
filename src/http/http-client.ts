import type { Logger } from '../logging/logger.js';
import { type Clock, systemClock } from '../ports/clock.js';
import { TransientError } from '../errors.js';
import { fetchBytes } from './byte-transport.js';
import { Pacer } from './pacer.js';
import {
  type BackoffOptions,
  backoffDelayMs,
  isRetryableStatus,
  rateLimitPauseMs,
  readRateLimit,
  retryAfterMs,
} from './retry-policy.js';
import { realSleep, type Sleep } from '../ports/sleep.js';

/** The slice of a fetch `Response` Sherpa reads; undici's and the global fetch both satisfy it. */
export interface FetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  arrayBuffer?(): Promise<ArrayBuffer>;
}

export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

export interface HttpRequest {
  method?: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /**
   * Keep the answer as bytes (`HttpResponse.bytes`) and decode `body` only if it is read: a listing page of
   * megabytes that is mostly recognised by hashing its bytes need not become a string (issue 14).
   */
  bytes?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: { get(name: string): string | null };
  body: string;
  url: string;
  /** The body as received, when the request asked for `bytes`. */
  bytes?: Buffer;
}

export interface HttpClientOptions {
  /** Name in logs and errors: `openreview`, `arxiv`, `mlsys`. */
  service: string;
  logger: Logger;
  fetch?: FetchLike;
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
  /** Per attempt. */
  timeoutMs?: number;
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** Spacing between request starts (arXiv: 3000). */
  minIntervalMs?: number;
  /**
   * A server may ask us to wait an hour; blocking a scrape that long helps nobody. Longer waits end the attempt
   * with a TransientError that carries `retryAfterMs`, and the next scheduled run resumes.
   */
  maxWaitMs?: number;
  /** One request at a time (arXiv: "a single connection at a time"). */
  serial?: boolean;
  userAgent?: string;
}

/** Identifies the bot to the sources' operators (arXiv asks API clients to be identifiable). */
const DEFAULT_USER_AGENT = 'Sherpa/0.1 (ML paper triage bot; node)';

/**
 * The one wrapper every source adapter uses: per-attempt timeout, retries with jittered backoff on network
 * errors, 429 and 5xx, `Retry-After` and `ratelimit-*` honoured, spacing between requests, and one log line per
 * request. Non-retryable responses (2xx, 4xx) are returned for the adapter to interpret: only it knows that
 * OpenReview's HTML 200 is a challenge page.
 */
export class HttpClient {
  private readonly fetchImpl: FetchLike;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly pacer: Pacer;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffOptions;
  private readonly maxWaitMs: number;
  private serialQueue: Promise<unknown> = Promise.resolve();
  /** Requests sent, retries included (benchmarks and tests read it). */
  requestCount = 0;

  constructor(private readonly options: HttpClientOptions) {
    this.fetchImpl = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.pacer = new Pacer(options.minIntervalMs ?? 0, this.clock, this.sleep);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.backoff = options.backoff ?? { baseMs: 1000, maxMs: 60_000 };
    this.maxWaitMs = options.maxWaitMs ?? 5 * 60_000;
  }

  request(request: HttpRequest): Promise<HttpResponse> {
    if (!this.options.serial) return this.requestWithRetries(request);
    const run = this.serialQueue.then(
      () => this.requestWithRetries(request),
      () => this.requestWithRetries(request),
    );
    this.serialQueue = run.catch(() => undefined);
    return run;
  }

  private async requestWithRetries(request: HttpRequest): Promise<HttpResponse> {
    const { service, logger } = this.options;
    const url = redactUrl(request.url);
    let problem = '';
    for (let attempt = 1; ; attempt++) {
      this.ensureWaitAcceptable(this.pacer.pendingWaitMs(), request);
      await this.pacer.turn(request.signal);
      const started = this.clock.now().getTime();
      let waitMs: number;
      let status: number | undefined;
      try {
        const response = await this.send(request);
        const elapsedMs = this.clock.now().getTime() - started;
        const rateLimit = readRateLimit(response.headers);
        if (rateLimit) this.pacer.holdFor(rateLimitPauseMs(rateLimit));
        if (!isRetryableStatus(response.status)) {
          logger.debug({ service, url, status: response.status, elapsedMs, attempt }, 'http');
          return response;
        }
        status = response.status;
        problem = `HTTP ${response.status}`;
        waitMs =
          retryAfterMs(response.headers, this.clock.now()) ??
          backoffDelayMs(attempt, this.backoff, this.random);
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason;
        problem = describeNetworkError(error);
        waitMs = backoffDelayMs(attempt, this.backoff, this.random);
      }
      if (attempt >= this.maxAttempts) break;
      this.ensureWaitAcceptable(waitMs, request, problem);
      logger.warn({ service, url, status, problem, attempt, waitMs }, 'request failed; retrying');
      this.pacer.holdFor(waitMs);
    }
    logger.warn({ service, url, problem, attempts: this.maxAttempts }, 'request failed; giving up');
    throw new TransientError(`${service} did not answer after ${this.maxAttempts} attempts (${problem})`, {
      hint: 'Sherpa will try again on the next run',
      context: { service, url },
    });
  }

  private ensureWaitAcceptable(waitMs: number, request: HttpRequest, problem = 'rate limit'): void {
    if (waitMs <= this.maxWaitMs) return;
    const minutes = Math.ceil(waitMs / 60_000);
    throw new TransientError(`${this.options.service} asked Sherpa to wait ${minutes} min (${problem})`, {
      retryAfterMs: waitMs,
      hint: 'Sherpa will resume where it stopped on the next run',
      context: { service: this.options.service, url: redactUrl(request.url) },
    });
  }

  private async send(request: HttpRequest): Promise<HttpResponse> {
    this.requestCount++;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const headers = { 'user-agent': this.options.userAgent ?? DEFAULT_USER_AGENT, ...request.headers };
    const init: FetchInit = { method: request.method ?? 'GET', headers, signal };
    if (request.body !== undefined) init.body = request.body;
    if (!request.bytes) {
      const response = await this.fetchImpl(request.url, init);
      const body = await response.text();
      return { status: response.status, headers: response.headers, body, url: request.url };
    }
    // Bytes come through undici's request (`byte-transport.ts`), unless a test gave its own fetch.
    const response = this.options.fetch
      ? await this.fetchImpl(request.url, init)
      : await fetchBytes(request.url, init);
    const bytes =
      'bytes' in response && Buffer.isBuffer(response.bytes)
        ? response.bytes
        : response.arrayBuffer
          ? Buffer.from(await response.arrayBuffer())
          : Buffer.from(await response.text(), 'utf8');
    let decoded: string | undefined;
    return {
      status: response.status,
      headers: response.headers,
      url: request.url,
      bytes,
      get body() {
        decoded ??= bytes.toString('utf8');
        return decoded;
      },
    };
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timed out';
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ? `${error.message} (${cause.code})` : error.message;
  }
  return String(error);
}

const SENSITIVE_PARAM = /token|key|secret|password|signature/i;

/** Query strings can carry credentials on some APIs; logs keep every parameter but those. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const name of [...parsed.searchParams.keys()]) {
      if (SENSITIVE_PARAM.test(name)) parsed.searchParams.set(name, '[redacted]');
    }
    return decodeURIComponent(parsed.toString());
  } catch {
    return '(invalid url)';
  }
}
