import type { ScrapedPaperInput, SourceName } from '../domain/paper.js';

/**
 * One listing of papers (a venue-year, an arXiv date window) read page by page. Adapters live in
 * `src/adapters/{openreview,arxiv,mlsys}/`; ingest (`src/ingest/`) consumes them without knowing which is which.
 *
 * Resumable: each page says where the next one starts (`nextCursor`). Ingest persists that cursor after the page
 * is stored and passes it back as `cursor` after a crash, so a restarted scrape continues instead of restarting.
 */
export interface SourceRecord {
  /** The id native to the source (OpenReview note id, arXiv id without version, proceedings hash). */
  sourceId: string;
  /** Mapped to Sherpa's shape but not yet cleaned or validated: ingest does that and skips what fails. */
  paper: ScrapedPaperInput;
  /** The record exactly as the source returned it, kept in the blob store with its page (`ingest/raw-page.ts`). */
  raw: unknown;
  /**
   * `raw` as the JSON the source sent (text, or its UTF-8 bytes), when the adapter has it: kept as it is, not
   * serialised again. With it, `raw` may be left undefined, so a page does not keep every parsed record alive.
   */
  rawJson?: string | Uint8Array;
  /**
   * A hash of the record as the source returned it and of everything else its mapping depends on, when the
   * adapter computes one. The store keeps it with the paper; `PageOptions.knownFingerprints` finds it again.
   */
  fingerprint?: string;
}

/** A record the adapter could not read (missing title, wrong shape); counted and logged, never fatal. */
export interface SkippedRecord {
  sourceId?: string;
  reason: string;
}

export interface SourcePage {
  records: SourceRecord[];
  skipped: SkippedRecord[];
  /** Pass back as `cursor` to continue after this page; undefined when this was the last page. */
  nextCursor: string | undefined;
  /** Size of the whole listing when the source says (OpenReview `count`, arXiv `totalResults`). */
  total: number | undefined;
  /** Something the person who asked should know, e.g. that arXiv stops at 30 000 results. */
  warning?: string;
  /**
   * Records left out of `records` because `knownFingerprints` knew them: the store holds each exactly as the
   * source returned it, so ingesting it again would change nothing. They count as duplicates.
   */
  unchanged?: number;
}

export interface PageOptions {
  /** A `nextCursor` from an earlier page; absent to start at the beginning. */
  cursor?: string;
  signal?: AbortSignal;
  /**
   * Which of these record fingerprints the store already holds (`PaperStore.knownFingerprints`). An adapter
   * that fingerprints its records leaves those out of the page unread (issue 14: a re-scrape of an unchanged
   * venue parses nothing). Asked once per page, in order. Absent where every record must be read (`--query`,
   * `--limit`); a resumed scrape's first page gets an empty answer.
   */
  knownFingerprints?: (fingerprints: readonly string[]) => Promise<ReadonlySet<string>>;
}

export interface PaperSource {
  readonly source: SourceName;
  /** For people: `ICLR 2025`, `arXiv cs.LG, stat.ML 2026-11-18 → 2026-11-23`. */
  readonly label: string;
  pages(options?: PageOptions): AsyncIterable<SourcePage>;
}

/**
 * Which listing to read. Ingest's resolved request (`ingest/scrape-request.ts`, stored in the checkpoint) has this
 * shape and more, so it is passed as it is (a venue added there and not here fails the typecheck).
 */
export type ListingRequest =
  | { kind: 'venue'; venue: 'iclr' | 'icml' | 'neurips' | 'mlsys'; year: number; includeRejected: boolean }
  | { kind: 'arxiv'; categories: string[]; from: string; to: string; query?: string };

/**
 * Turns a listing request into the adapter that reads it. Built once per process in `src/compose/`, because it
 * holds the shared clients (the OpenReview login, arXiv's one connection and 3-second spacing).
 */
export interface PaperSourceFactory {
  create(request: ListingRequest): PaperSource;
}

/** One paper by its id at its source, for `/paper run <id>` of a paper Sherpa has not seen. */
export interface PaperLookup {
  /** Undefined when the source has no such paper. */
  fetch(reference: { kind: 'arxiv' | 'openreview'; id: string }): Promise<SourceRecord | undefined>;
}
