import { assertSearchMove, type SearchState } from './evolve-search-state.js';
import { EvolveSearchSchema, type EvolveSearch } from './evolve-search.js';

/** Fields a move or an update may set besides the state. */
export type SearchPatch = Partial<
  Omit<EvolveSearch, 'id' | 'paperId' | 'version' | 'state' | 'createdAt' | 'updatedAt'>
>;

export interface SearchMove {
  from: SearchState | readonly SearchState[];
  to: SearchState;
  patch?: SearchPatch;
  ifVersion?: number;
}

export type AppliedSearchMove =
  | { ok: true; search: EvolveSearch }
  | { ok: false; cause: 'stale_version' | 'wrong_state'; search: EvolveSearch };

/**
 * The next search, or why the move no longer applies. Pure, like `applyTransition` for papers: the store
 * reads, calls this and writes with a compare-and-set on `search.version`.
 */
export function applySearchMove(search: EvolveSearch, move: SearchMove, at: string): AppliedSearchMove {
  const from = typeof move.from === 'string' ? [move.from] : move.from;
  for (const state of from) assertSearchMove(search.id, state, move.to);
  if (move.ifVersion !== undefined && move.ifVersion !== search.version)
    return { ok: false, cause: 'stale_version', search };
  if (!from.includes(search.state)) return { ok: false, cause: 'wrong_state', search };
  const next = EvolveSearchSchema.parse({
    ...search,
    ...move.patch,
    state: move.to,
    version: search.version + 1,
    updatedAt: at,
  });
  return { ok: true, search: next };
}

/** A patch without a state change, on the same compare-and-set. */
export function applySearchPatch(search: EvolveSearch, patch: SearchPatch, at: string): EvolveSearch {
  return EvolveSearchSchema.parse({ ...search, ...patch, version: search.version + 1, updatedAt: at });
}
