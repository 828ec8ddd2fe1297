import type { SearchStore } from '../ports/search-store.js';

/**
 * The instances that a live search's variants have run on (issue 13, item 5). Idle stop keeps them warm
 * between the search's generations (the judge and the next proposal call leave them idle for minutes), so a
 * generation costs about its budget instead of its budget plus a boot and a cold compile cache on a fresh
 * disk. A search that has ended holds nothing.
 */
export async function liveSearchInstances(searches: Pick<SearchStore, 'listLive'>): Promise<Set<string>> {
  const held = new Set<string>();
  for (const search of await searches.listLive()) {
    for (const variant of search.variants) {
      for (const run of [variant.smoke, variant.run]) if (run?.instanceId) held.add(run.instanceId);
    }
  }
  return held;
}
