import { normaliseDoi } from '../../domain/identifiers.js';
import type { ScrapedPaperInput } from '../../domain/paper.js';
import { PermanentError } from '../../errors.js';
import { bodySnippet } from '../../http/fetch-json.js';
import type { HttpClient } from '../../http/http-client.js';
import type { Logger } from '../../logging/logger.js';
import type { PageOptions, PaperSource, SourcePage, SourceRecord } from '../../ports/paper-source.js';
import type { AbstractPage, ListingEntry } from './parse-listing.js';
import { pdfUrlFromAbstractUrl } from './proceedings-urls.js';

/**
 * The page parsers load cheerio, about 200 ms of start-up for the bot and for each new scrape thread: loaded
 * when an MLSys page is first read, which most scrapes never do.
 */
const pageParsers = () => import('./parse-listing.js');

/** MLSys moved to OpenReview in 2026 (research/sources.md §3): later years go through the OpenReview adapter. */
export const MLSYS_LAST_PROCEEDINGS_ONLY_YEAR = 2025;

export interface MlsysSourceOptions {
  proceedingsUrl: string;
  year: number;
  /** Papers per page: each needs its abstract page fetched, so pages are small to checkpoint often. */
  pageSize?: number;
  logger: Logger;
}

/**
 * Accepted MLSys papers from the proceedings site: one request for the year's listing, then one per paper for
 * its abstract (the listing has none, and the judge needs it). MLSys has about 100 papers a year. Cursor: the
 * index of the next listing entry.
 */
export function createMlsysSource(http: HttpClient, options: MlsysSourceOptions): PaperSource {
  const pageSize = options.pageSize ?? 25;
  const base = options.proceedingsUrl.replace(/\/$/, '');
  return {
    source: 'mlsys',
    label: `MLSys ${options.year}`,
    async *pages(pageOptions: PageOptions = {}): AsyncGenerator<SourcePage> {
      const listingUrl = `${base}/paper_files/paper/${options.year}`;
      const entries = await fetchListing(http, listingUrl, options.year, pageOptions.signal);
      let index = pageOptions.cursor ? Number(pageOptions.cursor) : 0;
      while (index < entries.length) {
        pageOptions.signal?.throwIfAborted();
        const chunk = entries.slice(index, index + pageSize);
        const records: SourceRecord[] = [];
        for (const entry of chunk) {
          const details = await fetchAbstract(http, entry, options.logger, pageOptions.signal);
          records.push({
            sourceId: entry.hash,
            paper: toPaper(entry, details, options.year),
            raw: { entry, details },
          });
        }
        index += chunk.length;
        yield {
          records,
          skipped: [],
          total: entries.length,
          nextCursor: index < entries.length ? String(index) : undefined,
        };
      }
    },
  };
}

async function fetchListing(
  http: HttpClient,
  url: string,
  year: number,
  signal?: AbortSignal,
): Promise<ListingEntry[]> {
  const response = await http.request({ url, ...(signal ? { signal } : {}) });
  if (response.status === 404) {
    throw new PermanentError(`The MLSys ${year} proceedings are not published at ${url}`, {
      hint: 'Check the year, or MLSYS_PROCEEDINGS_URL',
    });
  }
  if (response.status !== 200) {
    throw new PermanentError(
      `The MLSys proceedings answered HTTP ${response.status}: ${bodySnippet(response.body)}`,
    );
  }
  const entries = (await pageParsers()).parseYearListing(response.body, url);
  // A page with no paper links is a layout change or an error page, never "MLSys had no papers".
  if (entries.length === 0) {
    throw new PermanentError(`The MLSys ${year} proceedings page lists no papers Sherpa can read`, {
      hint: 'The page layout may have changed; the log has the page start',
      context: { start: bodySnippet(response.body, 300) },
    });
  }
  return entries;
}

async function fetchAbstract(
  http: HttpClient,
  entry: ListingEntry,
  logger: Logger,
  signal?: AbortSignal,
): Promise<AbstractPage | undefined> {
  const response = await http.request({ url: entry.abstractUrl, ...(signal ? { signal } : {}) });
  if (response.status === 200)
    return (await pageParsers()).parseAbstractPage(response.body, entry.abstractUrl);
  // The paper is in the listing, so it exists: keep it without its abstract rather than drop it.
  logger.warn({ service: 'mlsys', hash: entry.hash, status: response.status }, 'abstract page unavailable');
  return undefined;
}

function toPaper(entry: ListingEntry, details: AbstractPage | undefined, year: number): ScrapedPaperInput {
  const doi = details?.doi ? normaliseDoi(details.doi) : undefined;
  const paper: ScrapedPaperInput = {
    source: 'mlsys',
    sourceId: entry.hash,
    title: entry.title,
    authors: details?.authors.length ? details.authors : entry.authors,
    abstract: details?.abstract ?? '',
    venue: 'MLSys',
    year,
    // The proceedings do not say oral or poster.
    presentation: 'accepted',
    forumUrl: entry.abstractUrl,
    pdfUrl: details?.pdfUrl ?? pdfUrlFromAbstractUrl(entry.abstractUrl),
  };
  if (doi) paper.doi = doi;
  if (details?.publishedAt) paper.publishedAt = details.publishedAt;
  return paper;
}
