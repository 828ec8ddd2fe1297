import type { CoreDeps } from '../../src/deps.js';
import { startSearch } from '../../src/evolve/start-search.js';
import { buttonWithout } from '../../src/messages/click-replies.js';
import { EVOLVE_NO_COMPUTE } from '../../src/messages/evolve-replies.js';
import { splitPair } from './action-payload.js';
import { approverClick } from './approver-click.js';

/** The defaults of a search started from a run's result (issue 13, item 1); `/paper evolve` can change them. */
const BUTTON_DEFAULTS = { variants: 8, generations: 5 } as const;

/**
 * **Evolve…** on a succeeded run's result (value `paperId:codeHash`): plan a search from that run's code with
 * the defaults, and post the plan in the thread. Nothing runs until an approver confirms the plan.
 */
export const evolveStart = (deps: CoreDeps) =>
  approverClick(deps, 'evolve.start', 'start an evolve search', async (click, { tell }) => {
    const bound = splitPair(click.value);
    if (!bound) return tell(buttonWithout('paper and code'));
    const [paperId, codeHash] = bound;
    if (!deps.compute) return tell(EVOLVE_NO_COMPUTE);
    const outcome = await startSearch(
      { ...deps, searches: deps.searches, compute: deps.compute },
      { paperId, codeHash, userId: click.userId, input: paperId, ...BUTTON_DEFAULTS },
    );
    // A plan is its own answer, in the thread of the click.
    if (outcome.kind === 'refused') await tell(outcome.message);
  });
