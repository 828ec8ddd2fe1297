import type { Config } from '../config/load-config.js';
import type { ThreadRef } from '../domain/paper.js';
import { describeForUser, PermanentError, SherpaError, TransientError } from '../errors.js';
import type { ScrapeProgressView } from '../messages/scrape-progress.js';
import { runScrape, type ScrapeDeps, type ScrapeProgress } from './run-scrape.js';
import { ScrapeCheckpoints } from './scrape-checkpoint.js';
import { holderIsDeadHere, newLeaseHolder } from './lease-holder.js';
import { type RunningScrape, ScrapeLeases } from './scrape-lease.js';
import { SlackScrapeReporter } from './scrape-reporter.js';
import {
  type ResolvedScrape,
  resumesFrom,
  type ScrapeRequest,
  scrapeKey,
  scrapeLabel,
} from './scrape-request.js';
import type { PaperSourceFactory } from '../ports/paper-source.js';
import type { ScrapeRunner } from '../ports/scrape-runner.js';
import { EMPTY_TALLY } from '../domain/scrape-tally.js';
import type { Chat } from '../ports/chat.js';
import { scrapeFailureReply, type ScrapeFailureView, scrapeStarter } from '../messages/scrape-replies.js';

export interface ScrapeServiceDeps extends ScrapeDeps {
  config: Config;
  chat: Chat;
  /** Where the scrape itself runs; without one, here (`runScrape` with the service's sources). */
  scrapeRunner?: ScrapeRunner;
}

export type StartScrapeResult =
  | {
      kind: 'started';
      label: string;
      progress: ThreadRef | undefined;
      /** It continues an interrupted scrape of the same listing (a crash, a stop, a source that stayed down). */
      resumed: boolean;
      done: Promise<ScrapeProgress | undefined>;
    }
  /** The same venue-year (or arXiv) is already being scraped; `running` says where it reports. */
  | { kind: 'running'; label: string; running: RunningScrape | undefined };

/**
 * Starts scrapes for `/scrape`, the schedules and the startup job: takes the lease for the key, posts the
 * progress message, runs the scrape in the background and turns its end into the summary (or the failure, with
 * the reason in the thread). Keeps the running scrapes so that shutdown can stop them at a page boundary; their
 * checkpoints let the next start continue.
 */
export class ScrapeService {
  private readonly leases: ScrapeLeases;
  private readonly checkpoints: ScrapeCheckpoints;
  private readonly active = new Map<string, { controller: AbortController; done: Promise<unknown> }>();
  private readonly runner: ScrapeRunner;
  private stopping = false;

  constructor(
    private readonly deps: ScrapeServiceDeps,
    private readonly sources: PaperSourceFactory,
  ) {
    this.leases = new ScrapeLeases(deps.coordination);
    this.checkpoints = new ScrapeCheckpoints(deps.coordination);
    this.runner = deps.scrapeRunner ?? {
      run: (request, options) => runScrape(this.deps, this.sources, request, options),
    };
  }

  async start(request: ScrapeRequest, options: { startedBy: string }): Promise<StartScrapeResult> {
    if (this.stopping) throw new PermanentError('Sherpa is shutting down; try again when it is back');
    const key = scrapeKey(request);
    const holder = newLeaseHolder();
    if (!(await this.leases.acquire(key, holder))) {
      const dead = await this.leases.takeOverDead(key, holder);
      if (!dead) {
        const running = await this.leases.running(key);
        // Between a takeover and its own announcement the record is still the dead holder's: that scrape is
        // being resumed, and its progress message is the one the resumed scrape keeps updating.
        const resumed = running && holderIsDeadHere(running.holder) ? { ...running, resumed: true } : running;
        return { kind: 'running', label: scrapeLabel(request), running: resumed };
      }
      this.deps.logger.warn(
        { scrape: key, deadHolder: dead },
        'the scrape lease was held by a process that is gone; taking over at once',
      );
    }
    // The lease is ours: a thread that runs the scrape starts while the progress message goes to Slack.
    this.runner.prepare?.();
    const controller = new AbortController();
    const startedAt = this.deps.clock.now();
    const startedBy = scrapeStarter(options.startedBy);
    const reporter = new SlackScrapeReporter(
      this.deps.chat,
      this.deps.config.slack.channel,
      this.deps.clock,
      this.deps.logger,
    );
    let progress: ThreadRef | undefined;
    let resumed = false;
    try {
      const previous = await this.resumableCheckpoint(key, request);
      resumed = previous !== undefined;
      const view = this.view(request, startedBy, startedAt, {
        status: 'running',
        resumed: previous !== undefined,
        ...(previous ? { tally: previous.tally, total: previous.total } : {}),
      });
      progress = await reporter.open(view, previous?.progress);
      await this.leases.announce(key, {
        holder,
        label: scrapeLabel(request),
        startedAt: startedAt.toISOString(),
        startedBy,
        ...(progress ? { progress } : {}),
        ...(previous ? { resumed: true } : {}),
      });
    } catch (error) {
      await this.leases.release(key, holder);
      throw error;
    }
    const heartbeat = this.leases.heartbeat(key, holder, () =>
      controller.abort(new TransientError('another Sherpa took over this scrape')),
    );
    const done = this.run(request, { controller, reporter, startedBy, startedAt, progress }).finally(
      async () => {
        heartbeat.stop();
        this.active.delete(holder);
        await this.leases
          .release(key, holder)
          .catch((error: unknown) =>
            this.deps.logger.warn({ err: error, scrape: key }, 'could not release the scrape lease'),
          );
      },
    );
    this.active.set(holder, { controller, done });
    return { kind: 'started', label: scrapeLabel(request), progress, resumed, done };
  }

  /** After a restart: continue every scrape that a crash or shutdown left unfinished. */
  async resumeUnfinished(): Promise<StartScrapeResult[]> {
    const results: StartScrapeResult[] = [];
    for (const { checkpoint } of await this.checkpoints.unfinished()) {
      const request = requestFor(checkpoint.resolved);
      if (!request) continue;
      results.push(await this.start(request, { startedBy: 'a restart' }));
    }
    return results;
  }

  /** Stop running scrapes at the next page boundary and wait for them; their checkpoints stay. */
  async stop(): Promise<void> {
    this.stopping = true;
    const running = [...this.active.values()];
    for (const scrape of running) scrape.controller.abort(new TransientError('Sherpa was stopped'));
    await Promise.allSettled(running.map((scrape) => scrape.done));
  }

  private async run(
    request: ScrapeRequest,
    context: {
      controller: AbortController;
      reporter: SlackScrapeReporter;
      startedBy: string;
      startedAt: Date;
      progress: ThreadRef | undefined;
    },
  ): Promise<ScrapeProgress | undefined> {
    const { reporter, startedBy, startedAt } = context;
    let last: ScrapeProgress | undefined;
    try {
      const result = await this.runner.run(request, {
        signal: context.controller.signal,
        ...(context.progress ? { progressRef: context.progress } : {}),
        onProgress: async (progress) => {
          last = progress;
          await reporter.progress(
            this.view(request, startedBy, startedAt, { status: 'running', ...progress }),
          );
        },
      });
      await reporter.finish(this.view(request, startedBy, startedAt, { status: 'done', ...result }));
      return result;
    } catch (error) {
      const reason = context.controller.signal.aborted ? context.controller.signal.reason : error;
      this.deps.logger.error({ err: reason, scrape: scrapeKey(request) }, 'scrape stopped');
      const view = this.view(request, startedBy, startedAt, {
        status: 'failed',
        ...(last ?? {}),
        error: describeForUser(reason),
        retryHint: retryCommand(request),
      });
      await reporter.fail(view, scrapeFailureReply(failureView(reason, retryCommand(request))).text);
      return undefined;
    }
  }

  private async resumableCheckpoint(key: string, request: ScrapeRequest) {
    const checkpoint = await this.checkpoints.load(key);
    const arxiv = this.deps.config.sources.arxiv;
    const defaults = { categories: arxiv.categories, ...(arxiv.query ? { query: arxiv.query } : {}) };
    return checkpoint && resumesFrom(checkpoint.resolved, request, defaults) ? checkpoint : undefined;
  }

  private view(
    request: ScrapeRequest,
    startedBy: string,
    startedAt: Date,
    state: Partial<ScrapeProgress> & Pick<ScrapeProgressView, 'status'> & Partial<ScrapeProgressView>,
  ): ScrapeProgressView {
    return {
      // The label stays what was asked for; the resolved details (categories, window) show as the listing.
      label: scrapeLabel(request),
      listing: state.listing ?? scrapeLabel(request),
      status: state.status,
      tally: state.tally ?? EMPTY_TALLY,
      total: state.total,
      elapsedMs: this.deps.clock.now().getTime() - startedAt.getTime(),
      startedBy,
      resumed: state.resumed ?? false,
      warnings: state.warnings ?? [],
      ...(state.error ? { error: state.error } : {}),
      ...(state.retryHint ? { retryHint: state.retryHint } : {}),
    };
  }
}

/** The request that resumes a checkpoint; an arXiv window given with --days is not resumed automatically. */
function requestFor(resolved: ResolvedScrape): ScrapeRequest | undefined {
  if (resolved.kind === 'venue') return { ...resolved };
  if (resolved.explicitDays) return undefined;
  return {
    kind: 'arxiv',
    categories: resolved.categories,
    ...(resolved.query ? { query: resolved.query } : {}),
    ...(resolved.limit ? { limit: resolved.limit } : {}),
  };
}

export function retryCommand(request: ScrapeRequest): string {
  if (request.kind === 'arxiv') return '/scrape arxiv';
  return `/scrape ${request.venue} ${request.year}${request.includeRejected ? ' --include-rejected' : ''}`;
}

/** What the failure reply in the progress thread is built from: the error's class decides what happens next. */
function failureView(error: unknown, retry: string): ScrapeFailureView {
  const errorClass =
    error instanceof SherpaError && (error.errorClass === 'config' || error.errorClass === 'transient')
      ? error.errorClass
      : 'other';
  return { errorClass, problem: describeForUser(error), retryCommand: retry };
}

const services = new WeakMap<object, ScrapeService>();

/** One service per running Sherpa (per deps object): handlers and jobs share its leases and HTTP clients. */
export function scrapeServiceFor(
  deps: ScrapeServiceDeps,
  createSources: () => PaperSourceFactory,
): ScrapeService {
  let service = services.get(deps);
  if (!service) {
    service = new ScrapeService(deps, createSources());
    services.set(deps, service);
  }
  return service;
}
