import type { SearchMove, SearchPatch } from '../domain/evolve-search-move.js';
import type { EvolveSearch } from '../domain/evolve-search.js';

export type SearchMoveResult =
  | { ok: true; search: EvolveSearch }
  /** Someone moved or updated the search first; `search` is the current record. */
  | { ok: false; reason: 'conflict'; search: EvolveSearch }
  | { ok: false; reason: 'not_found' };

/**
 * Durable evolve searches (issue 13, item 7), like papers: every change a compare-and-set on the version.
 * Embedded: SQLite (`sqlite-search-store.ts`); AWS: OpenSearch (`opensearch-search-store.ts`). Both pass
 * `test/contracts/search-store.contract.ts`.
 */
export interface SearchStore {
  /**
   * Store a new search, unless the paper already has a live one (one search per paper at a time: its spend is
   * told apart in the ledger by paper). Returns the live one instead in that case.
   */
  create(search: EvolveSearch): Promise<{ created: boolean; search: EvolveSearch }>;
  get(searchId: string): Promise<EvolveSearch | undefined>;
  /** The paper's search that has not ended, if any. */
  liveFor(paperId: string): Promise<EvolveSearch | undefined>;
  /** Every search that has not ended: what a restarted worker resumes. */
  listLive(): Promise<EvolveSearch[]>;
  move(searchId: string, move: SearchMove): Promise<SearchMoveResult>;
  /** Patch fields other than the state on a compare-and-set; undefined on a version conflict. */
  update(
    searchId: string,
    patch: SearchPatch,
    options: { ifVersion: number },
  ): Promise<EvolveSearch | undefined>;
}
