import { type Paper, type ScrapedPaper, paperIdFor, sourceKeysOf } from './paper.js';
import { normaliseArxivId, titleKey } from './identifiers.js';

/**
 * How a store builds and merges paper records. Shared by every PaperStore implementation so that the embedded
 * and the AWS store dedup identically.
 */

/** Titles shorter than this (after normalising) are too generic to merge two papers on ("Introduction"). */
const MIN_TITLE_KEY_LENGTH = 16;

export function titleKeyUsableForDedup(key: string): boolean {
  return key.length >= MIN_TITLE_KEY_LENGTH && key.includes(' ');
}

/**
 * A source key in its stored form: `arxiv:2401.00001v3` → `arxiv:2401.00001`, DOIs lower-cased (they are
 * case-insensitive), so the same paper is found whichever way a source or a user spelled it.
 */
export function normaliseSourceKey(input: string): string {
  const key = input.trim();
  const colon = key.indexOf(':');
  if (colon === -1) return key;
  const prefix = key.slice(0, colon).toLowerCase();
  const id = key.slice(colon + 1);
  if (prefix === 'arxiv') return `arxiv:${normaliseArxivId(id) ?? id}`;
  if (prefix === 'doi') return `doi:${id.toLowerCase()}`;
  return `${prefix}:${id}`;
}

/** Every dedup key of a scraped paper, normalised. */
export function dedupKeysOf(paper: ScrapedPaper): string[] {
  return [...new Set(sourceKeysOf(paper).map(normaliseSourceKey))];
}

export function primarySourceKey(paper: Pick<ScrapedPaper, 'source' | 'sourceId'>): string {
  return `${paper.source}:${paper.sourceId}`;
}

/**
 * A new record in state `scraped`, version 1. Built, not parsed: `scraped` is already a parsed ScrapedPaper and
 * every other field is computed here, and the `Paper` type makes a new required field a compile error. Parsing
 * it again was about 5 % of an ingest's CPU time (issue 14's profile).
 *
 * `Object.assign`, not `{ ...scraped, id, … }`: V8 adds each property after a spread on a slow path, about 40 µs
 * a paper here, most of this function's time in issue 14's profile; assign copies onto one shape.
 */
export function newPaperFrom(scraped: ScrapedPaper, now: string, rawKey?: string): Paper {
  const fields: Omit<Paper, keyof ScrapedPaper> = {
    id: paperIdFor(primarySourceKey(scraped)),
    titleKey: titleKey(scraped.title),
    sourceKeys: dedupKeysOf(scraped),
    state: 'scraped',
    version: 1,
    createdAt: now,
    updatedAt: now,
    rawKeys: rawKey ? [rawKey] : [],
    codeVersions: [],
    runs: [],
    fixRounds: 0,
  };
  return Object.assign({}, scraped, fields);
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/**
 * Merge what a source says into a known paper. Identifiers and links are added, never replaced, except that a
 * venue record (conference, proceedings) takes over venue fields from an arXiv preprint: a conference paper and
 * its preprint become one paper showing the venue, with the arXiv id kept. State, verdict, code and runs are
 * never touched. Returns undefined when nothing changed.
 */
export function mergeScraped(
  existing: Paper,
  scraped: ScrapedPaper,
  now: string,
  rawKey?: string,
): Paper | undefined {
  const upgradeVenue = existing.presentation === 'preprint' && scraped.presentation !== 'preprint';
  const merged: Paper = {
    ...existing,
    sourceKeys: union(existing.sourceKeys, dedupKeysOf(scraped)),
    arxivId: existing.arxivId ?? scraped.arxivId,
    openreviewId: existing.openreviewId ?? scraped.openreviewId,
    doi: existing.doi ?? scraped.doi,
    forumUrl: upgradeVenue
      ? (scraped.forumUrl ?? existing.forumUrl)
      : (existing.forumUrl ?? scraped.forumUrl),
    pdfUrl: existing.pdfUrl ?? scraped.pdfUrl,
    publishedAt: existing.publishedAt ?? scraped.publishedAt,
    abstract: existing.abstract || scraped.abstract,
    authors: existing.authors.length > 0 ? existing.authors : scraped.authors,
    categories: union(existing.categories, scraped.categories),
    keywords: union(existing.keywords, scraped.keywords),
    rawKeys: existing.rawKeys,
  };
  if (upgradeVenue) {
    merged.venue = scraped.venue;
    merged.year = scraped.year;
    merged.presentation = scraped.presentation;
    merged.venueLabel = scraped.venueLabel ?? merged.venueLabel;
  }
  const changed = JSON.stringify(merged) !== JSON.stringify(existing);
  if (!changed && !(rawKey && isFirstRecordFromItsSource(existing.rawKeys, rawKey))) return undefined;
  if (rawKey) merged.rawKeys = union(existing.rawKeys, [rawKey]);
  return { ...merged, version: existing.version + 1, updatedAt: now };
}

/**
 * Raw records are content-addressed pages (`raw/<source>/pages/<sha256>.jsonl`), so a re-scrape names a new
 * object whenever anything else on the page changed. A new raw record alone is therefore no change: the paper
 * keeps the record it has, unless it has none from that source yet (an arXiv preprint now seen on OpenReview).
 */
function isFirstRecordFromItsSource(rawKeys: readonly string[], rawKey: string): boolean {
  const source = rawKey.split('/').slice(0, 2).join('/');
  return !rawKeys.some((key) => key.startsWith(`${source}/`));
}

const STOPWORDS = new Set(
  (
    'a an and are as at be by can for from has have in into is it its of on or our that the their this to ' +
    'we with which via using use used based new show shows propose proposed paper approach method methods ' +
    'results model models these those such than then they also both each more most other over under while ' +
    'not but only when where how what who can may however thus between across without within through'
  ).split(' '),
);

/**
 * The most telling words of a text (for "papers like this one"): stopwords and short tokens dropped, ranked by
 * frequency then length. Lower-cased letters and digits only, so the result is safe to put in any query syntax.
 */
export function salientTerms(text: string, max = 24): string[] {
  const counts = new Map<string, number>();
  for (const token of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (token.length < 3 || STOPWORDS.has(token) || /^\d+$/.test(token)) continue;
    counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || b[0].length - a[0].length || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([token]) => token);
}
