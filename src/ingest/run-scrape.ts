import { randomUUID } from 'node:crypto';
import type { ThreadRef } from '../domain/paper.js';
import type { ScrapeProgress } from '../domain/scrape.js';
import type { ScrapeRunOptions } from '../ports/scrape-runner.js';
import type { Config } from '../config/load-config.js';
import type { Clock } from '../ports/clock.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import type { PageOptions, PaperSourceFactory } from '../ports/paper-source.js';
import { type IngestDeps, ingestPage } from './ingest-page.js';
import { matchesQuery } from './normalise-paper.js';
import { readAhead } from './read-ahead.js';
import { type ScrapeCheckpoint, ScrapeCheckpoints } from './scrape-checkpoint.js';
import { resolveScrape, resumesFrom, type ScrapeRequest, scrapeKey, scrapeLabel } from './scrape-request.js';
import { addTallies, EMPTY_TALLY } from '../domain/scrape-tally.js';

export type { ScrapeProgress } from '../domain/scrape.js';

export interface ScrapeDeps extends IngestDeps {
  config: Pick<Config, 'sources'>;
  clock: Clock;
  coordination: CoordinationStore;
}

/** Where its progress goes, and how it is stopped (the `ScrapeRunner` port's options). */
export type RunScrapeOptions = ScrapeRunOptions;

/**
 * Read a listing to its end, page by page, persisting the position after each stored page. The caller holds
 * the scrape's lease (`scrape-lease.ts`). If a checkpoint for the same listing exists (a crash, a source that
 * stayed down), it resumes from there with the same window and counts. Errors propagate with the checkpoint
 * kept, so the next run (or the next `/scrape`) continues.
 */
export async function runScrape(
  deps: ScrapeDeps,
  sources: PaperSourceFactory,
  request: ScrapeRequest,
  options: RunScrapeOptions = {},
): Promise<ScrapeProgress> {
  const key = scrapeKey(request);
  const checkpoints = new ScrapeCheckpoints(deps.coordination);
  const { checkpoint, resumed } = await startOrResume(deps, checkpoints, request, key, options.progressRef);
  await checkpoints.save(key, checkpoint);

  const source = sources.create(checkpoint.resolved);
  const resolved = checkpoint.resolved;
  const query = resolved.kind === 'venue' ? resolved.query : undefined;
  const snapshot = (): ScrapeProgress => ({
    key,
    label: scrapeLabel(resolved),
    runId: checkpoint.runId,
    startedAt: checkpoint.startedAt,
    resumed,
    tally: checkpoint.tally,
    total: checkpoint.total,
    warnings: checkpoint.warnings,
    listing: source.label,
  });
  const log = deps.logger.child({ scrape: key, runId: checkpoint.runId });
  log.info(
    { resumed, cursor: checkpoint.cursor, listing: source.label },
    resumed ? 'resuming scrape' : 'starting scrape',
  );
  await options.onProgress?.(snapshot());

  const knownFingerprints = fingerprintLookup(
    deps,
    resumed,
    query === undefined && resolved.limit === undefined,
  );
  const pageOptions = {
    ...(checkpoint.cursor ? { cursor: checkpoint.cursor } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(knownFingerprints ? { knownFingerprints } : {}),
  };
  let recovering = resumed;
  // With --limit the last page needed is unknown in advance, so no page is read ahead that may not be used.
  const pages =
    resolved.limit === undefined ? readAhead(source.pages(pageOptions)) : source.pages(pageOptions);
  for await (const page of pages) {
    const processed = checkpoint.tally.new + checkpoint.tally.duplicates;
    const remaining = resolved.limit !== undefined ? resolved.limit - processed : undefined;
    const tally = await ingestPage(deps, page, {
      startedAt: checkpoint.startedAt,
      recovering,
      ...(query ? { filter: (paper) => matchesQuery(paper, query) } : {}),
      ...(remaining !== undefined ? { remaining } : {}),
    });
    recovering = false;
    checkpoint.tally = addTallies(checkpoint.tally, tally);
    if (page.total !== undefined) checkpoint.total = page.total;
    if (page.warning && !checkpoint.warnings.includes(page.warning)) checkpoint.warnings.push(page.warning);
    const limitReached =
      resolved.limit !== undefined && checkpoint.tally.new + checkpoint.tally.duplicates >= resolved.limit;
    if (page.nextCursor === undefined || limitReached) break;
    checkpoint.cursor = page.nextCursor;
    await checkpoints.save(key, checkpoint);
    log.debug({ cursor: page.nextCursor, tally: checkpoint.tally }, 'page stored');
    await options.onProgress?.(snapshot());
  }

  await checkpoints.finish(key, {
    finishedAt: deps.clock.now().toISOString(),
    // Only the default window moves "since the last run"; an ad-hoc --days scrape leaves it where it was.
    ...(resolved.kind === 'arxiv' && !resolved.explicitDays ? { windowEnd: resolved.to } : {}),
    tally: checkpoint.tally,
  });
  log.info({ tally: checkpoint.tally, total: checkpoint.total }, 'scrape finished');
  return snapshot();
}

/**
 * Lets the source leave out records the store holds exactly so (`PageOptions.knownFingerprints`), except where
 * every record must be seen: `--query` counts what does not match, `--limit` counts records in order, and the
 * first page of a resumed scrape may hold papers stored but not yet queued, which only a full pass re-offers.
 */
function fingerprintLookup(
  deps: ScrapeDeps,
  resumed: boolean,
  everyRecordCounts: boolean,
): PageOptions['knownFingerprints'] {
  const { papers } = deps;
  if (!papers.knownFingerprints || !everyRecordCounts) return undefined;
  const lookup = papers.knownFingerprints.bind(papers);
  let pagesLeftToReadInFull = resumed ? 1 : 0;
  return async (fingerprints) => {
    if (pagesLeftToReadInFull > 0) {
      pagesLeftToReadInFull--;
      return new Set();
    }
    return lookup(fingerprints);
  };
}

async function startOrResume(
  deps: ScrapeDeps,
  checkpoints: ScrapeCheckpoints,
  request: ScrapeRequest,
  key: string,
  progressRef: ThreadRef | undefined,
): Promise<{ checkpoint: ScrapeCheckpoint; resumed: boolean }> {
  const arxiv = deps.config.sources.arxiv;
  const defaults = { categories: arxiv.categories, ...(arxiv.query ? { query: arxiv.query } : {}) };
  const existing = await checkpoints.load(key);
  if (existing && resumesFrom(existing.resolved, request, defaults)) {
    return { checkpoint: { ...existing, ...(progressRef ? { progress: progressRef } : {}) }, resumed: true };
  }
  const last = request.kind === 'arxiv' ? await checkpoints.lastSuccess(key) : undefined;
  const resolved = resolveScrape(request, {
    now: deps.clock.now(),
    defaultCategories: arxiv.categories,
    ...(arxiv.query ? { defaultQuery: arxiv.query } : {}),
    ...(last?.windowEnd ? { lastWindowEnd: last.windowEnd } : {}),
  });
  const checkpoint: ScrapeCheckpoint = {
    runId: randomUUID(),
    startedAt: deps.clock.now().toISOString(),
    resolved,
    tally: { ...EMPTY_TALLY },
    warnings: [],
    ...(progressRef ? { progress: progressRef } : {}),
  };
  return { checkpoint, resumed: false };
}
