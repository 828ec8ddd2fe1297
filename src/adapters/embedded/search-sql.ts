/**
 * The SQL of each search form, built for exactly the filters a search names (issue 14): a clause like
 * `(@venue IS NULL OR p.venue = @venue)` keeps SQLite off every index, so each combination of filters gets
 * its own statement, and `INDEXED BY` pins the index migration 3 made for it (a plan that cannot drift with
 * table statistics; `test/embedded/search-query-plans.test.ts` pins it).
 */

export type FilterName = 'venue' | 'year' | 'state';

export interface FilterValues {
  venue?: string;
  year?: number;
  state?: string;
}

/** Column weights for bm25 (title, abstract, authors, venue): a title hit says most about a paper. */
const RANKED = 'bm25(papers_fts, 8.0, 1.0, 2.0, 1.0)';

/** The filters a search names, in a fixed order so each combination maps to one statement. */
export function namedFilters(values: FilterValues): FilterName[] {
  return (['venue', 'state', 'year'] as const).filter((name) => values[name] !== undefined);
}

/**
 * The index that leads with the first named filter and holds the others. Venue first, then state, then year:
 * the fewer papers share the leading value, the fewer index entries a search that finds nothing reads.
 */
function leadingIndex(filters: readonly FilterName[]): string {
  const first = filters[0];
  if (first === undefined) throw new Error('a filtered statement needs at least one filter');
  return `papers_${first}_filters`;
}

function whereOf(filters: readonly FilterName[]): string {
  return filters.map((name) => `p.${name} = @${name}`).join(' AND ');
}

/** Filter-only search: the filtered papers, most recently updated first, read in index order. */
export function filteredOnlySql(filters: readonly FilterName[]): string {
  return `SELECT p.doc AS doc FROM papers p INDEXED BY ${leadingIndex(filters)}
    WHERE ${whereOf(filters)} ORDER BY p.updated_at DESC LIMIT @limit`;
}

/** How many papers pass the filters, counting no further than `@cap` (index entries only). */
export function filteredCountSql(filters: readonly FilterName[]): string {
  return `SELECT COUNT(*) AS n FROM (
    SELECT 1 FROM papers p INDEXED BY ${leadingIndex(filters)} WHERE ${whereOf(filters)} LIMIT @cap)`;
}

/**
 * The newest `@window` matches, and their bm25. Matches arrive newest first from the FTS index itself (rowid =
 * papers.seq, so insertion order), and bm25 is computed only for those kept: the bound on ranking work that
 * a word in every paper needs.
 */
function newestMatchesSql(filters: readonly FilterName[], filterBy: 'join' | 'list'): string {
  if (filters.length === 0) {
    return `SELECT f.rowid AS seq, ${RANKED} AS rank FROM papers_fts f
      WHERE papers_fts MATCH @match ORDER BY f.rowid DESC LIMIT @window`;
  }
  if (filterBy === 'join') {
    // Many papers pass: check each match's filters in the narrow seq index, never in the wide papers row.
    return `SELECT f.rowid AS seq, ${RANKED} AS rank FROM papers_fts f
      CROSS JOIN papers p INDEXED BY papers_seq_filters ON p.seq = f.rowid
      WHERE papers_fts MATCH @match AND ${whereOf(filters)} ORDER BY f.rowid DESC LIMIT @window`;
  }
  // Few papers pass: SQLite lists them once (with a Bloom filter) and tests each match against the list. The
  // unary + keeps the list out of the FTS index, which would otherwise seek its doclists once per paper.
  return `SELECT f.rowid AS seq, ${RANKED} AS rank FROM papers_fts f
    WHERE papers_fts MATCH @match AND +f.rowid IN (
      SELECT p.seq FROM papers p INDEXED BY ${leadingIndex(filters)} WHERE ${whereOf(filters)})
    ORDER BY f.rowid DESC LIMIT @window`;
}

/** Full-text search: rank the newest matches, then read the documents of the best `@limit` only. */
export function rankedSql(filters: readonly FilterName[], filterBy: 'join' | 'list' = 'join'): string {
  return `WITH hits AS (
      SELECT seq, rank FROM (${newestMatchesSql(filters, filterBy)}) ORDER BY rank LIMIT @limit)
    SELECT p.doc AS doc, hits.rank AS rank FROM hits JOIN papers p ON p.seq = hits.seq ORDER BY hits.rank`;
}

/** "More like this": the unfiltered ranking, less one paper. */
export function similarSql(): string {
  return `WITH hits AS (
      SELECT seq, rank FROM (${newestMatchesSql([], 'join')}) ORDER BY rank LIMIT @limit + 1)
    SELECT p.doc AS doc FROM hits JOIN papers p ON p.seq = hits.seq
    WHERE @excludeId IS NULL OR p.id != @excludeId ORDER BY hits.rank LIMIT @limit`;
}

/** Papers containing a term, counting no further than `@cap` (the FTS doclist only). */
export const MATCH_COUNT_SQL = `SELECT COUNT(*) AS n FROM (
  SELECT 1 FROM papers_fts WHERE papers_fts MATCH @match LIMIT @cap)`;

/** Papers ever stored (seq only grows; papers are never deleted): read from the end of the table. */
export const PAPER_COUNT_SQL = 'SELECT COALESCE(MAX(seq), 0) AS n FROM papers';
