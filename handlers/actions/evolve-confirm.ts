import type { CoreDeps } from '../../src/deps.js';
import { postedPlan } from '../../src/evolve/plan-message.js';
import { estimateFor } from '../../src/evolve/plan-search.js';
import { evolveConfirmModal } from '../../src/messages/evolve-confirm-modal.js';
import { EVOLVE_SEARCH_GONE, evolveNotPlanned } from '../../src/messages/evolve-replies.js';
import { approverClick } from './approver-click.js';

/**
 * **Confirm search…** on a plan (value `searchId`): open the confirmation modal with the plan's figures as
 * posted. The modal's submission makes the move (`views/evolve-confirm-submission.ts`).
 */
export const evolveConfirm = (deps: CoreDeps) =>
  approverClick(deps, 'evolve.confirm', 'confirm an evolve search', async (click, { tell }) => {
    const search = await deps.searches.get(click.value);
    if (!search) return tell(EVOLVE_SEARCH_GONE);
    if (search.state !== 'planned') return tell(evolveNotPlanned(search));
    const estimate = (await postedPlan(deps, search.id))?.figures ?? (await estimateFor(deps, search));
    const paper = await deps.papers.get(search.paperId);
    await deps.chat.openView(
      click.triggerId,
      evolveConfirmModal({
        search,
        estimate,
        paperTitle: paper?.title ?? search.paperId,
        metadata: {
          paperId: search.paperId,
          searchId: search.id,
          channel: click.channel,
          messageTs: click.messageTs,
          threadTs: click.threadTs,
        },
      }),
    );
  });
