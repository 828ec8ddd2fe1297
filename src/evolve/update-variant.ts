import { TransientError } from '../errors.js';
import type { SearchStore } from '../ports/search-store.js';
import type { EvolveSearch, Variant } from '../domain/evolve-search.js';

const MAX_ATTEMPTS = 16;

/**
 * Change one variant of a search with a compare-and-set, re-reading when a sibling variant's update won first
 * (variants of a generation run in parallel and share the record). `change` sees the current variant and
 * returns the new one, or undefined to leave it (it no longer needs the change).
 */
export async function updateVariant(
  searches: SearchStore,
  searchId: string,
  variantId: string,
  change: (variant: Variant, search: EvolveSearch) => Variant | undefined,
): Promise<EvolveSearch | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const search = await searches.get(searchId);
    const current = search?.variants.find((variant) => variant.id === variantId);
    if (!search || !current) return undefined;
    const next = change(current, search);
    if (!next) return search;
    const variants = search.variants.map((variant) => (variant.id === variantId ? next : variant));
    const written = await searches.update(searchId, { variants }, { ifVersion: search.version });
    if (written) return written;
  }
  throw new TransientError(`could not record variant ${variantId}: the search kept changing`, {
    context: { searchId, variantId },
  });
}
