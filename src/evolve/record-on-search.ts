import { TransientError } from '../errors.js';
import type { SearchPatch } from '../domain/evolve-search-move.js';
import type { EvolveSearch } from '../domain/evolve-search.js';
import type { SearchStore } from '../ports/search-store.js';

const MAX_ATTEMPTS = 16;

/**
 * Record something the thread did (a message's ts, the last plot) on the search with a compare-and-set,
 * re-reading when another write won first (a Stop click, a variant's update). `patchFor` sees the current
 * search and returns the patch, or undefined when the record no longer needs it (already there).
 */
export async function recordOnSearch(
  searches: SearchStore,
  searchId: string,
  patchFor: (search: EvolveSearch) => SearchPatch | undefined,
): Promise<EvolveSearch | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const search = await searches.get(searchId);
    if (!search) return undefined;
    const patch = patchFor(search);
    if (!patch) return search;
    const written = await searches.update(searchId, patch, { ifVersion: search.version });
    if (written) return written;
  }
  throw new TransientError(`could not record on search ${searchId}: it kept changing`, {
    context: { searchId },
  });
}
