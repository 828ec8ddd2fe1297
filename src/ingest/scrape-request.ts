import { z } from 'zod';
import { SCRAPE_VENUE_SLUGS, type ScrapeRequest, type ScrapeVenueSlug } from '../domain/scrape.js';

// The request's types are the domain's (a scrape crosses to its own thread as data); they are named here too.
export { SCRAPE_VENUE_SLUGS, type ScrapeRequest, type ScrapeVenueSlug };

const VENUE_NAMES: Record<ScrapeVenueSlug, string> = {
  iclr: 'ICLR',
  icml: 'ICML',
  neurips: 'NeurIPS',
  mlsys: 'MLSys',
};

/**
 * The request with everything fixed that must not change when a crashed scrape resumes: for arXiv the date
 * window and the categories. Stored in the checkpoint, so it is parsed with zod when read back.
 */
export const ResolvedScrapeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('venue'),
    venue: z.enum(SCRAPE_VENUE_SLUGS),
    year: z.number().int(),
    query: z.string().optional(),
    limit: z.number().int().positive().optional(),
    includeRejected: z.boolean(),
  }),
  z.object({
    kind: z.literal('arxiv'),
    categories: z.array(z.string()),
    query: z.string().optional(),
    limit: z.number().int().positive().optional(),
    /** ISO times; `submittedDate` window. */
    from: z.string(),
    to: z.string(),
    /** `--days` was given: a later scheduled run does not resume this window. */
    explicitDays: z.boolean(),
  }),
]);
export type ResolvedScrape = z.infer<typeof ResolvedScrapeSchema>;

/** One scrape at a time per key: `iclr-2025`, `arxiv`. Leases, checkpoints and last-success records use it. */
export function scrapeKey(request: ScrapeRequest | ResolvedScrape): string {
  return request.kind === 'venue' ? `${request.venue}-${request.year}` : 'arxiv';
}

export function scrapeLabel(request: ScrapeRequest | ResolvedScrape): string {
  if (request.kind === 'venue') {
    return `${VENUE_NAMES[request.venue]} ${request.year}${request.query ? ` matching "${request.query}"` : ''}`;
  }
  const categories = request.categories?.join(', ');
  return `arXiv${categories ? ` ${categories}` : ''}${request.query ? ` matching "${request.query}"` : ''}`;
}

/**
 * arXiv lists a paper a day or more after its submission time (announcements at 20:00 ET, none at weekends),
 * so "since the last run" reaches back this much further; papers seen twice are duplicates, not new.
 */
export const ARXIV_ANNOUNCE_LAG_MS = 4 * 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

export interface ResolveContext {
  now: Date;
  /** End of the window of the last successful arXiv scrape, if any. */
  lastWindowEnd?: string;
  defaultCategories: string[];
  defaultQuery?: string;
}

export function resolveScrape(request: ScrapeRequest, context: ResolveContext): ResolvedScrape {
  if (request.kind === 'venue') return { ...request };
  const to = context.now;
  const from = request.days
    ? new Date(to.getTime() - request.days * DAY_MS)
    : new Date(
        Math.min(
          context.lastWindowEnd ? Date.parse(context.lastWindowEnd) : Infinity,
          to.getTime() - DAY_MS,
        ) - ARXIV_ANNOUNCE_LAG_MS,
      );
  const resolved: ResolvedScrape = {
    kind: 'arxiv',
    categories: request.categories ?? context.defaultCategories,
    from: from.toISOString(),
    to: to.toISOString(),
    explicitDays: request.days !== undefined,
  };
  const query = request.query ?? context.defaultQuery;
  if (query) resolved.query = query;
  if (request.limit) resolved.limit = request.limit;
  return resolved;
}

/** Whether an unfinished scrape's checkpoint is for the same listing as a new request (then it resumes). */
export function resumesFrom(
  resolved: ResolvedScrape,
  request: ScrapeRequest,
  defaults: { categories: string[]; query?: string },
): boolean {
  if (resolved.kind === 'venue' || request.kind === 'venue') {
    return (
      resolved.kind === 'venue' &&
      request.kind === 'venue' &&
      resolved.venue === request.venue &&
      resolved.year === request.year &&
      resolved.includeRejected === request.includeRejected &&
      resolved.query === request.query &&
      resolved.limit === request.limit
    );
  }
  const categories = request.categories ?? defaults.categories;
  return (
    !resolved.explicitDays &&
    request.days === undefined &&
    resolved.categories.join(',') === categories.join(',') &&
    resolved.query === (request.query ?? defaults.query) &&
    resolved.limit === request.limit
  );
}
