import type { Logger } from '../logging/logger.js';
import type { Compute } from '../ports/compute.js';
import type { SearchStore } from '../ports/search-store.js';
import type { EvolveSearch } from '../domain/evolve-search.js';
import { isSearchOver } from '../domain/evolve-search-state.js';

export type StopMode = 'after_in_flight' | 'now';

export type StopOutcome =
  | { kind: 'stopping'; search: EvolveSearch; cancelled: number }
  | { kind: 'already_over'; search: EvolveSearch }
  | { kind: 'not_found' };

/**
 * Stop (issue 13, item 6): record who stopped the search and how, with a compare-and-set; the driver then
 * starts nothing new and ends the search once the runs in flight are done. Stop now also cancels the commands
 * in flight, so their watches end at once (the runner writes what it has).
 */
export async function requestStop(
  /** Without compute (`COMPUTE=none` here) Stop now still stops the search; nothing can be cancelled from here. */
  deps: {
    searches: SearchStore;
    compute?: Pick<Compute, 'cancelRun'>;
    logger: Logger;
    clock: { now(): Date };
  },
  searchId: string,
  request: { mode: StopMode; userId: string },
): Promise<StopOutcome> {
  for (let attempt = 0; attempt < 8; attempt += 1) {
    const search = await deps.searches.get(searchId);
    if (!search) return { kind: 'not_found' };
    if (isSearchOver(search.state)) return { kind: 'already_over', search };
    // Stop now overrides an earlier Stop (and is told as its clicker's); a second Stop changes nothing.
    const mode = search.stop?.mode === 'now' ? 'now' : request.mode;
    const by = search.stop && search.stop.mode === mode ? search.stop.by : request.userId;
    const stop = { mode, by, at: deps.clock.now().toISOString() };
    const written = await deps.searches.update(searchId, { stop }, { ifVersion: search.version });
    if (!written) continue;
    let cancelled = 0;
    if (mode === 'now' && deps.compute) {
      const compute = deps.compute;
      for (const variant of written.variants) {
        for (const run of [variant.smoke, variant.run]) {
          if (!run?.commandId || !run.instanceId || run.outcome) continue;
          await compute
            .cancelRun({ instanceId: run.instanceId, commandId: run.commandId, runId: run.runId })
            .then(() => (cancelled += 1))
            .catch((error: unknown) =>
              deps.logger.warn({ err: error, runId: run.runId }, 'could not cancel'),
            );
        }
      }
    }
    deps.logger.info({ paperId: written.paperId, searchId, mode, cancelled }, 'search stop requested');
    return { kind: 'stopping', search: written, cancelled };
  }
  return { kind: 'not_found' };
}
