import type { Worker } from 'node:worker_threads';
import type { Config } from '../config/load-config.js';
import type { ScrapeProgress, ScrapeRequest } from '../domain/scrape.js';
import { TransientError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { ScrapeRunner, ScrapeRunOptions } from '../ports/scrape-runner.js';
import { startWorker } from '../worker-threads.js';
import {
  type FromScrapeThread,
  receivedError,
  type ScrapeThreadData,
  type ToScrapeThread,
} from './scrape-thread-protocol.js';

/** An idle thread is let go after this long: its heap is tens of MiB, and scrapes come hours apart. */
const IDLE_EXIT_MS = 60_000;

export interface ScrapeThreadOptions {
  config: Config;
  logger: Logger;
  /** Papers were stored and queued for judging: wake this process's judge consumer (the queue is in this file). */
  onStored?: () => void;
  /** The bot database's `turns.buffer`: the thread's writes wait for the bot thread's store calls. */
  writeTurns?: SharedArrayBuffer;
  idleExitMs?: number;
}

interface Running {
  resolve(progress: ScrapeProgress): void;
  reject(error: unknown): void;
  options: ScrapeRunOptions;
  /** The progress callbacks, one after another, as `runScrape` awaits each in its own thread. */
  reported: Promise<void>;
  /** A progress callback failed: the scrape stops, and fails with this. */
  reportError?: unknown;
  newSoFar: number;
}

/**
 * Scrapes on a worker thread of their own (`scrape-thread-worker.ts`), for the embedded default: the thread reads
 * the listing, parses and normalises it, writes the papers and their judge jobs to `sherpa.db` on its own
 * connection and merges the FTS5 index, and only the progress crosses back. In this thread a 5,000-paper venue
 * kept the event loop that acks Slack 89 % busy for two seconds, in stalls of up to 45 ms (young-generation
 * collections of a page's papers, slices of SQLite writes); a thread has its own heap and its own loop.
 *
 * One thread serves every scrape (the OpenReview login and arXiv's 3-second spacing stay shared), started on
 * the first scrape and let go when idle. If it dies, its scrapes fail as transient errors with their
 * checkpoints kept, and the next scrape starts a new one.
 */
export class ScrapeThread implements ScrapeRunner {
  private worker: Worker | undefined;
  private readonly running = new Map<number, Running>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: ScrapeThreadOptions) {}

  run(request: ScrapeRequest, options: ScrapeRunOptions = {}): Promise<ScrapeProgress> {
    if (this.closed) return Promise.reject(new TransientError('Sherpa is shutting down'));
    const worker = this.worker ?? this.start();
    clearTimeout(this.idleTimer);
    worker.ref();
    const id = this.nextId++;
    return new Promise<ScrapeProgress>((resolve, reject) => {
      this.running.set(id, { resolve, reject, options, reported: Promise.resolve(), newSoFar: 0 });
      const abort = () => this.send({ type: 'abort', id });
      if (options.signal?.aborted) abort();
      else options.signal?.addEventListener('abort', abort, { once: true });
      this.send({
        type: 'scrape',
        id,
        request,
        ...(options.progressRef ? { progressRef: options.progressRef } : {}),
      });
    });
  }

  /**
   * Starts the thread ahead of a scrape (its modules load in about half a second), while the scrape service posts
   * the progress message. A thread that no scrape then uses is let go like an idle one.
   */
  prepare(): void {
    if (this.closed || this.worker) return;
    this.start();
    // Nothing runs on a thread just started (scrapes end with their thread): it waits like an idle one.
    this.idle();
  }

  /** Whether a thread is running now (started and not yet let go). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  /** Fails what still runs (shutdown stops scrapes first, at a page boundary) and ends the thread. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new TransientError('Sherpa stopped during the scrape'));
    await worker?.terminate();
  }

  private start(): Worker {
    const data: ScrapeThreadData = {
      config: this.options.config,
      logLevel: this.options.logger.level,
      writeTurns: this.options.writeTurns,
    };
    const worker = startWorker('scrape-thread-worker', import.meta.url, { ...data });
    worker.on('message', (message: FromScrapeThread) => this.receive(message));
    const stopped = (cause: unknown) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.options.logger.error({ err: cause }, 'the scrape thread stopped');
      this.failAll(
        new TransientError('The scrape thread stopped; run the scrape again to resume it', { cause }),
      );
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`the scrape thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private receive(message: FromScrapeThread): void {
    if (message.type === 'log') {
      this.relayLog(message.line);
      return;
    }
    const scrape = this.running.get(message.id);
    if (!scrape) return;
    this.noticeStored(scrape, message.type === 'failed' ? undefined : message.progress);
    if (message.type === 'progress') {
      const { onProgress } = scrape.options;
      if (!onProgress || scrape.reportError !== undefined) return;
      scrape.reported = scrape.reported.then(() =>
        onProgress(message.progress).catch((error: unknown) => {
          // As in this thread, where the failed callback would have ended the scrape.
          scrape.reportError = error;
          this.send({ type: 'abort', id: message.id });
        }),
      );
      return;
    }
    this.running.delete(message.id);
    void scrape.reported.then(() => {
      if (scrape.reportError !== undefined) scrape.reject(scrape.reportError);
      else if (message.type === 'done') scrape.resolve(message.progress);
      else scrape.reject(receivedError(message.error));
    });
    if (this.running.size === 0) this.idle();
  }

  /** The judge consumer here learns of the thread's new papers when each page is stored, not at its next poll. */
  private noticeStored(scrape: Running, progress: ScrapeProgress | undefined): void {
    if (!progress || progress.tally.new <= scrape.newSoFar) return;
    scrape.newSoFar = progress.tally.new;
    this.options.onStored?.();
  }

  /** The thread's line, logged again here with its own level, message and fields. */
  private relayLog(line: string): void {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const { level, time: _time, msg, ...fields } = record;
    const logger = this.options.logger;
    const label = typeof level === 'number' ? logger.levels.labels[level] : undefined;
    const log = (label && label in logger ? logger[label as 'info'] : logger.info).bind(logger);
    log({ ...fields, thread: 'scrape' }, typeof msg === 'string' ? msg : '');
  }

  private send(message: ToScrapeThread): void {
    this.worker?.postMessage(message);
  }

  private idle(): void {
    const worker = this.worker;
    if (!worker) return;
    worker.unref();
    this.idleTimer = setTimeout(() => {
      if (this.running.size > 0 || this.worker !== worker) return;
      this.worker = undefined;
      void worker.terminate();
    }, this.options.idleExitMs ?? IDLE_EXIT_MS);
    this.idleTimer.unref();
  }

  private failAll(error: Error): void {
    const running = [...this.running.values()];
    this.running.clear();
    for (const scrape of running) void scrape.reported.then(() => scrape.reject(error));
  }
}
