import { fetchArxivRecord } from '../adapters/arxiv/fetch-by-id.js';
import { createArxivHttpClient, createArxivSource } from '../adapters/arxiv/index.js';
import { createMlsysSource, MLSYS_LAST_PROCEEDINGS_ONLY_YEAR } from '../adapters/mlsys/index.js';
import { fetchOpenReviewRecord } from '../adapters/openreview/fetch-by-id.js';
import { connectOpenReview, createOpenReviewSource } from '../adapters/openreview/index.js';
import type { Config } from '../config/load-config.js';
import { HttpClient } from '../http/http-client.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../ports/clock.js';
import type { PaperLookup, PaperSourceFactory } from '../ports/paper-source.js';
import type { Sleep } from '../ports/sleep.js';

export interface SourceFactoryOptions {
  sources: Config['sources'];
  logger: Logger;
  clock?: Clock;
  sleep?: Sleep;
  /** Smaller OpenReview pages for tests; production uses OpenReview's maximum of 1000. */
  openreviewPageSize?: number;
}

/**
 * The OpenReview client (and its login token), the arXiv client (its one connection and 3-second spacing) and
 * the MLSys client are created once and shared by every scrape, so spacing and token reuse hold process-wide.
 */
export function createSourceFactory(options: SourceFactoryOptions): PaperSourceFactory {
  const { sources, logger } = options;
  const timing = {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };
  const { username, password } = sources.openreview;
  const openreview = connectOpenReview({
    apiUrl: sources.openreview.apiUrl,
    credentials: username && password ? { username, password } : undefined,
    logger,
    ...timing,
  });
  const arxiv = createArxivHttpClient({ logger, minIntervalMs: sources.arxiv.minIntervalMs, ...timing });
  // The proceedings site is a small static site: a request every half second is polite.
  const mlsys = new HttpClient({ service: 'mlsys', logger, minIntervalMs: 500, serial: true, ...timing });

  return {
    create(request) {
      if (request.kind === 'arxiv') {
        return createArxivSource(arxiv, {
          apiUrl: sources.arxiv.apiUrl,
          pageSize: sources.arxiv.pageSize,
          listing: {
            categories: request.categories,
            from: new Date(request.from),
            to: new Date(request.to),
            ...(request.query ? { query: request.query } : {}),
          },
        });
      }
      if (request.venue === 'mlsys' && request.year <= MLSYS_LAST_PROCEEDINGS_ONLY_YEAR) {
        return createMlsysSource(mlsys, {
          proceedingsUrl: sources.mlsys.proceedingsUrl,
          year: request.year,
          logger,
        });
      }
      return createOpenReviewSource(openreview, {
        venue: request.venue,
        year: request.year,
        includeRejected: request.includeRejected,
        ...(options.openreviewPageSize ? { pageSize: options.openreviewPageSize } : {}),
      });
    },
  };
}

/**
 * By-id lookups with their own pair of clients and the same politeness as the scrapers (one arXiv request every
 * 3 s on one connection; one OpenReview login reused). Lookups are rare: a person typed an id.
 */
export function createPaperLookup(options: Pick<SourceFactoryOptions, 'sources' | 'logger'>): PaperLookup {
  const { sources, logger } = options;
  const { username, password } = sources.openreview;
  const arxiv = createArxivHttpClient({ logger, minIntervalMs: sources.arxiv.minIntervalMs });
  const openreview = connectOpenReview({
    apiUrl: sources.openreview.apiUrl,
    credentials: username && password ? { username, password } : undefined,
    logger,
  });
  return {
    fetch: (reference) =>
      reference.kind === 'arxiv'
        ? fetchArxivRecord(arxiv, sources.arxiv.apiUrl, reference.id)
        : fetchOpenReviewRecord(openreview, reference.id),
  };
}
