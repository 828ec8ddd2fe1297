import type { Tally } from './scrape-tally.js';

export const SCRAPE_VENUE_SLUGS = ['iclr', 'icml', 'neurips', 'mlsys'] as const;
export type ScrapeVenueSlug = (typeof SCRAPE_VENUE_SLUGS)[number];

/** What someone (a `/scrape` command or a schedule) asked for. */
export type ScrapeRequest =
  | {
      kind: 'venue';
      venue: ScrapeVenueSlug;
      year: number;
      query?: string;
      limit?: number;
      includeRejected: boolean;
    }
  | { kind: 'arxiv'; days?: number; categories?: string[]; query?: string; limit?: number };

/** A scrape's progress so far: what its progress message in Slack shows. */
export interface ScrapeProgress {
  key: string;
  label: string;
  runId: string;
  startedAt: string;
  resumed: boolean;
  tally: Tally;
  total: number | undefined;
  warnings: string[];
  /** The source label with its resolved details (arXiv window). */
  listing: string;
}
