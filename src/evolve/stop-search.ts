import type { EvolveSearch } from '../domain/evolve-search.js';
import { isSearchOver } from '../domain/evolve-search-state.js';
import type { Compute } from '../ports/compute.js';
import type { SearchStore } from '../ports/search-store.js';
import { evolveCancelledLine, evolveStopLine } from '../messages/evolve-replies.js';
import { postSearchLine, refreshPlan } from './plan-message.js';
import type { PostOnceDeps } from './post-once.js';
import { requestStop, type StopMode } from './request-stop.js';

export type StopSearchOutcome =
  | { kind: 'cancelled'; search: EvolveSearch }
  | { kind: 'stopping'; search: EvolveSearch; cancelled: number }
  /** Already stopping in this mode (a second click): the first stop stands, nothing is said again. */
  | { kind: 'already_stopping'; search: EvolveSearch; by: string; mode: StopMode }
  | { kind: 'already_over'; search: EvolveSearch }
  | { kind: 'not_found' };

export type StopSearchDeps = PostOnceDeps & {
  searches: SearchStore;
  compute?: Pick<Compute, 'cancelRun'>;
};

/**
 * Stop and Stop now (issue 13, item 6), and Cancel on a plan not yet confirmed. A plan ends at once
 * (`planned → stopped`: nothing ran, and the paper may plan another); a running search records the stop with
 * `requestStop` and the worker ends it after the runs in flight, or at once. Either way the thread gets one
 * line saying who stopped it and how, and the plan message loses the buttons that no longer apply.
 */
export async function stopSearch(
  deps: StopSearchDeps,
  request: { searchId: string; userId: string; mode: StopMode },
): Promise<StopSearchOutcome> {
  const before = await deps.searches.get(request.searchId);
  if (!before) return { kind: 'not_found' };
  if (before.state === 'planned') {
    const at = deps.clock.now().toISOString();
    const moved = await deps.searches.move(before.id, {
      from: 'planned',
      to: 'stopped',
      patch: {
        stop: { mode: 'now', by: request.userId, at },
        endReason: `the plan was cancelled by <@${request.userId}> before it started`,
      },
    });
    if (moved.ok) {
      await refreshPlan(deps, moved.search);
      await postSearchLine(deps, moved.search, 'cancelled', evolveCancelledLine(request.userId));
      return { kind: 'cancelled', search: moved.search };
    }
    if (moved.reason === 'not_found') return { kind: 'not_found' };
    // Confirmed in the meantime: this click stops the search that now runs.
  }
  const current = (await deps.searches.get(request.searchId)) ?? before;
  const sameOrWeaker = current.stop?.mode === 'now' || request.mode === 'after_in_flight';
  if (current.stop && sameOrWeaker && !isSearchOver(current.state))
    return { kind: 'already_stopping', search: current, by: current.stop.by, mode: current.stop.mode };
  const outcome = await requestStop(deps, request.searchId, { mode: request.mode, userId: request.userId });
  // A Stop left on the plan of a search that ended by itself: the plan stops offering it.
  if (outcome.kind === 'already_over') await refreshPlan(deps, outcome.search);
  if (outcome.kind !== 'stopping') return outcome;
  await refreshPlan(deps, outcome.search);
  const mode = outcome.search.stop?.mode ?? request.mode;
  await postSearchLine(
    deps,
    outcome.search,
    `stop-${mode}`,
    evolveStopLine(request.userId, mode, outcome.cancelled),
  );
  return outcome;
}
