import { afterAll, describe, expect, it } from 'vitest';
import { openSherpaDatabase } from '../../src/adapters/embedded/index.js';
import {
  type FilterName,
  filteredCountSql,
  filteredOnlySql,
  rankedSql,
  similarSql,
} from '../../src/adapters/embedded/search-sql.js';
import {
  LIST_BY_STATE_SINCE_SQL,
  LIST_ONE_STATE_SQL,
} from '../../src/adapters/embedded/sqlite-paper-statements.js';

/**
 * Issue 14: each search form's plan, as SQLite chooses it on the migrated schema. Not a timing test: a plan that
 * reads the papers table row by row, sorts what an index already orders, or leaves a filter to the table is a
 * regression at 500,000 papers even when a small test runs fast.
 */
const database = openSherpaDatabase({ dataDir: ':memory:' });
afterAll(() => database.close());

const VALUES = { venue: 'ICLR', state: 'accepted', year: 2025 } as const;

function planOf(sql: string, params: Record<string, unknown>): string[] {
  const rows = database.connection.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
  return rows.map((row) => row.detail);
}

/** Every non-empty combination of filters, as `namedFilters` orders them. */
const COMBINATIONS: FilterName[][] = [
  ['venue'],
  ['state'],
  ['year'],
  ['venue', 'state'],
  ['venue', 'year'],
  ['state', 'year'],
  ['venue', 'state', 'year'],
];

function paramsOf(filters: readonly FilterName[], extra: Record<string, unknown>) {
  return { ...Object.fromEntries(filters.map((name) => [name, VALUES[name]])), ...extra };
}

/**
 * The FTS index walked newest first by itself: index number 192 = FTS5's ORDER_ROWID (64) | ORDER_DESC (128),
 * with MATCH (M) its only constraint. LIMIT @window then stops the walk; a sort would read every match.
 */
const NEWEST_MATCHES_FIRST = 'SCAN f VIRTUAL TABLE INDEX 192:M4';

/** A full pass over the papers table or one of its indexes (a virtual-table scan is the FTS index). */
const FULL_SCAN = /^SCAN (p|papers)\b(?! VIRTUAL)/;

describe('search query plans', () => {
  describe.each(COMBINATIONS.map((filters) => [filters.join('+'), filters] as const))(
    'filters %s',
    (_label, filters) => {
      const leading = `papers_${filters[0]}_filters`;

      it('filter-only search reads the leading filter index in update order and checks the rest there', () => {
        const plan = planOf(filteredOnlySql(filters), paramsOf(filters, { limit: 11 }));
        expect(plan).toEqual([`SEARCH p USING INDEX ${leading} (${filters[0]}=?)`]);
        expect(plan.some((step) => FULL_SCAN.test(step) || /TEMP B-TREE/.test(step))).toBe(false);
      });

      it('counts passing papers from the index alone', () => {
        const plan = planOf(filteredCountSql(filters), paramsOf(filters, { cap: 10 }));
        expect(plan).toContain(`SEARCH p USING COVERING INDEX ${leading} (${filters[0]}=?)`);
        expect(plan.some((step) => FULL_SCAN.test(step))).toBe(false);
      });

      it('checks the filters of each full-text match in the seq index when many papers pass', () => {
        const plan = planOf(
          rankedSql(filters, 'join'),
          paramsOf(filters, { match: 'x', window: 5, limit: 2 }),
        );
        expect(plan).toContainEqual(
          expect.stringMatching(/^SEARCH p USING COVERING INDEX papers_seq_filters \(seq=\?/),
        );
        expect(plan).toContain('SEARCH p USING INTEGER PRIMARY KEY (rowid=?)');
        expect(plan).toContain(NEWEST_MATCHES_FIRST);
        expect(plan.some((step) => FULL_SCAN.test(step))).toBe(false);
      });

      it('lists the passing papers from the index once when few pass, outside the FTS index', () => {
        const plan = planOf(
          rankedSql(filters, 'list'),
          paramsOf(filters, { match: 'x', window: 5, limit: 2 }),
        );
        expect(plan).toContain(`SEARCH p USING COVERING INDEX ${leading} (${filters[0]}=?)`);
        // Only MATCH reaches the FTS index (M); a rowid constraint there would seek its doclists per paper.
        expect(plan.filter((step) => step.includes('VIRTUAL TABLE'))).toEqual([NEWEST_MATCHES_FIRST]);
        expect(plan.some((step) => FULL_SCAN.test(step))).toBe(false);
      });
    },
  );

  it('ranks an unfiltered search from the FTS index, newest first, and reads only the hits', () => {
    for (const sql of [rankedSql([]), similarSql()]) {
      const plan = planOf(sql, { match: 'x', window: 5, limit: 2, excludeId: null });
      expect(plan.filter((step) => step.includes('VIRTUAL TABLE'))).toEqual([NEWEST_MATCHES_FIRST]);
      expect(plan).toContain('SEARCH p USING INTEGER PRIMARY KEY (rowid=?)');
      expect(plan.some((step) => FULL_SCAN.test(step))).toBe(false);
    }
  });

  it("reads the digest's window as a range of the state index, not every judged paper's entry", () => {
    const plan = planOf(LIST_BY_STATE_SINCE_SQL, {
      states: '["accepted","judge_rejected"]',
      since: '2026-12-05T00:00:00.000Z',
      limit: 10,
    });
    expect(plan).toContain('SEARCH papers USING INDEX papers_state_filters (state=? AND updated_at>?)');
    expect(plan.some((step) => FULL_SCAN.test(step))).toBe(false);
  });

  it('lists the papers of one state newest first from its index, without sorting them all', () => {
    const plan = planOf(LIST_ONE_STATE_SQL, { state: 'accepted', limit: 10 });
    expect(plan).toEqual(['SEARCH papers USING INDEX papers_state_filters (state=?)']);
  });
});
