import type { CoreDeps } from '../../src/deps.js';
import type { StopMode } from '../../src/evolve/request-stop.js';
import { stopSearch } from '../../src/evolve/stop-search.js';
import {
  EVOLVE_SEARCH_GONE,
  evolveAlreadyOver,
  evolveAlreadyStopping,
} from '../../src/messages/evolve-replies.js';
import { approverClick } from './approver-click.js';

/**
 * **Stop** / **Stop now** on a search (value `searchId`), and **Cancel** on a plan (the Stop action): who stopped
 * it and how goes in the thread as one line; a second click changes nothing and says so to the clicker.
 */
function stopClick(deps: CoreDeps, mode: StopMode) {
  const name = mode === 'now' ? 'evolve.stop_now' : 'evolve.stop';
  return approverClick(deps, name, 'stop an evolve search', async (click, { tell }) => {
    const outcome = await stopSearch(
      { ...deps, searches: deps.searches },
      { searchId: click.value, userId: click.userId, mode },
    );
    if (outcome.kind === 'not_found') return tell(EVOLVE_SEARCH_GONE);
    if (outcome.kind === 'already_over') return tell(evolveAlreadyOver(outcome.search));
    if (outcome.kind === 'already_stopping') return tell(evolveAlreadyStopping(outcome.by, outcome.mode));
  });
}

export const evolveStop = (deps: CoreDeps) => stopClick(deps, 'after_in_flight');
export const evolveStopNow = (deps: CoreDeps) => stopClick(deps, 'now');
