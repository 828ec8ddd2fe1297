import type { Statement } from 'better-sqlite3';
import { salientTerms } from '../../domain/paper-merge.js';
import type { Paper } from '../../domain/paper.js';
import type { SearchHit, SearchQuery } from '../../ports/paper-store.js';
import { ftsAllOf, ftsAnyOf, ftsTokens } from './fts-query.js';
import {
  type FilterName,
  type FilterValues,
  filteredCountSql,
  filteredOnlySql,
  MATCH_COUNT_SQL,
  namedFilters,
  PAPER_COUNT_SQL,
  rankedSql,
  similarSql,
} from './search-sql.js';
import { paperFromDoc } from './sqlite-paper-rows.js';
import type { SqliteConnection } from './sqlite-database.js';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 200;
/** Candidates for "more like this"; the commonest are then dropped (see `discriminatingTerms`). */
const SIMILAR_TERMS = 16;
/**
 * Ranking bound (issue 14): bm25 is computed for the newest this-many matches only, so a word found in every
 * paper costs the same at 50,000 papers as at 500,000. The trade-off: when more papers match, an older paper
 * that would rank higher is not shown; a query that broad is not specific enough for that to matter, and a
 * filter or another word brings older papers back into reach.
 */
const RANK_WINDOW = 5_000;
/**
 * The same bound for a search with filters: the newest this-many matches that pass them. Smaller, because
 * finding them means walking past the matches that do not pass.
 */
const FILTERED_RANK_WINDOW = 2_000;
/**
 * Filters that fewer papers than this pass are listed once and each match tested against the list; above it,
 * each match's filters are checked in the seq index, and the window stops the walk early (at least this share
 * of matches passes).
 */
const FILTER_LIST_CAP = 20_000;
/** A term found in more than this share of papers says little about similarity (like a stopword). */
const COMMON_TERM_SHARE = 0.2;

export interface SqlitePaperSearchOptions {
  rankWindow?: number;
  filteredRankWindow?: number;
  filterListCap?: number;
}

/** Full-text search and "more like this" over the FTS5 index, with filters on covering indexes. */
export class SqlitePaperSearch {
  private readonly statements = new Map<string, Statement>();
  private readonly rankWindow: number;
  private readonly filteredRankWindow: number;
  private readonly filterListCap: number;

  constructor(
    private readonly connection: SqliteConnection,
    options: SqlitePaperSearchOptions = {},
  ) {
    this.rankWindow = options.rankWindow ?? RANK_WINDOW;
    this.filteredRankWindow = options.filteredRankWindow ?? FILTERED_RANK_WINDOW;
    this.filterListCap = options.filterListCap ?? FILTER_LIST_CAP;
  }

  /**
   * Every word must match; when that finds nothing, any word may (ranked), so a long query with one stray word
   * still answers. Text with no words lists the filtered papers, most recently updated first (with no filter
   * either, the most recently added).
   */
  search(query: SearchQuery): SearchHit[] {
    const values: FilterValues = { venue: query.venue, year: query.year, state: query.state };
    const filters = namedFilters(values);
    // Only the named filters are bound: a statement has a parameter for each filter it names and no other.
    const named: FilterValues = Object.fromEntries(filters.map((name) => [name, values[name]]));
    const params = { ...named, limit: Math.min(Math.max(query.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT) };
    const passing = filters.length === 0 ? Infinity : this.countPassing(filters, named);
    if (passing === 0) return [];
    const tokens = ftsTokens(query.text);
    if (tokens.length === 0) {
      const sql = filters.length === 0 ? NEWEST_SQL : filteredOnlySql(filters);
      return this.all<{ doc: string }>(sql, params).map((row) => ({
        paper: paperFromDoc(row.doc),
        score: 0,
      }));
    }
    const sql = rankedSql(filters, passing < this.filterListCap ? 'list' : 'join');
    const window = filters.length === 0 ? this.rankWindow : this.filteredRankWindow;
    const ranked = (match: string) =>
      this.all<{ doc: string; rank: number }>(sql, { ...params, match, window });
    let rows = ranked(ftsAllOf(tokens));
    if (rows.length === 0 && tokens.length > 1) rows = ranked(ftsAnyOf(tokens));
    // bm25 is lower-is-better and negative; flip it so a higher score means a better hit.
    return rows.map((row) => ({ paper: paperFromDoc(row.doc), score: -row.rank }));
  }

  similar(text: string, options: { limit: number; excludeId?: string }): Paper[] {
    const terms = this.discriminatingTerms(salientTerms(text, SIMILAR_TERMS));
    if (terms.length === 0 || options.limit <= 0) return [];
    return this.all<{ doc: string }>(similarSql(), {
      match: ftsAnyOf(terms),
      window: this.rankWindow,
      excludeId: options.excludeId ?? null,
      limit: options.limit,
    }).map((row) => paperFromDoc(row.doc));
  }

  /** Papers passing the filters, counted up to the list cap only (the count then just says "many"). */
  private countPassing(filters: readonly FilterName[], named: FilterValues): number {
    const cap = Math.max(this.filterListCap, 1); // at least 1: "none pass" must still show
    return this.get<{ n: number }>(filteredCountSql(filters), { ...named, cap })?.n ?? 0;
  }

  /** Drops terms most papers contain (they match everything and rank nothing); keeps a few if all are common. */
  private discriminatingTerms(terms: string[]): string[] {
    const papers = this.get<{ n: number }>(PAPER_COUNT_SQL, {})?.n ?? 0;
    if (papers < 100) return terms;
    const common = Math.floor(papers * COMMON_TERM_SHARE);
    const counted = (cap: number) =>
      terms.map((term) => ({
        term,
        n: this.get<{ n: number }>(MATCH_COUNT_SQL, { match: ftsAnyOf([term]), cap })?.n ?? 0,
      }));
    // Counting stops just past "common": a word in every paper costs no more to classify than a rare one.
    const rare = counted(common + 1).filter((entry) => entry.n > 0 && entry.n <= common);
    if (rare.length > 0) return rare.map((entry) => entry.term);
    // Every term is common (rare): only then are they counted in full, to keep the least common.
    return counted(Number.MAX_SAFE_INTEGER)
      .filter((entry) => entry.n > 0)
      .sort((a, b) => a.n - b.n)
      .slice(0, 4)
      .map((entry) => entry.term);
  }

  /** Statements are prepared once per form and combination of filters (at most a few dozen). */
  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.connection.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private all<Row>(sql: string, params: object): Row[] {
    return this.statement(sql).all(params) as Row[];
  }

  private get<Row>(sql: string, params: object): Row | undefined {
    return this.statement(sql).get(params) as Row | undefined;
  }
}

/** No words and no filters: the most recently added papers, in primary-key order (no sort). */
const NEWEST_SQL = 'SELECT doc FROM papers ORDER BY seq DESC LIMIT @limit';
