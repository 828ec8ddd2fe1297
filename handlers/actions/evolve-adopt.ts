import type { CoreDeps } from '../../src/deps.js';
import { adoptAndPost } from '../../src/evolve/adopt-and-post.js';
import { EVOLVE_BUTTON_WITHOUT_SEARCH, evolveAlreadyAdopted } from '../../src/messages/evolve-replies.js';
import { approverClick } from './approver-click.js';

/** `searchId:variantId`, the Adopt button's value (a variant id is `<search id>.g<k>.v<i>`). */
function adoptValue(value: string) {
  const match = /^(s_[A-Za-z0-9_-]+):(s_[A-Za-z0-9_.-]+)$/.exec(value);
  return match && { searchId: match[1]!, variantId: match[2]! };
}

/**
 * **Adopt as code version** on a search's summary: the variant becomes the paper's current code version and is
 * posted as a code step with its Run buttons; a second click is told it is done.
 */
export const evolveAdopt = (deps: CoreDeps) =>
  approverClick(deps, 'evolve.adopt', 'adopt a variant as code', async (click, { tell }) => {
    const bound = adoptValue(click.value);
    if (!bound) return tell(EVOLVE_BUTTON_WITHOUT_SEARCH);
    const outcome = await adoptAndPost(
      { ...deps, searches: deps.searches },
      { ...bound, userId: click.userId },
    );
    if (outcome.kind === 'refused') return tell(outcome.message);
    if (outcome.kind === 'already') return tell(evolveAlreadyAdopted(outcome.version.version));
  });
