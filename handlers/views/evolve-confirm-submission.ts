import type { CoreDeps } from '../../src/deps.js';
import { confirmSearch } from '../../src/evolve/confirm-search.js';
import { sendEvolveJob } from '../../src/evolve/send-evolve-job.js';
import { MODAL_INPUT } from '../../src/messages/modal-metadata.js';
import {
  EVOLVE_HANDOVER_FAILED,
  EVOLVE_SEARCH_GONE,
  evolveNotPlanned,
} from '../../src/messages/evolve-replies.js';
import { decisionSubmission } from './decision-submission.js';

/**
 * The evolve plan's confirmation modal: `planned → confirmed` (compare-and-set) with who confirmed it, and the
 * search handed to the worker. A second submit (or a second approver's) finds it confirmed and changes nothing.
 */
export const evolveConfirmSubmission = (deps: CoreDeps) =>
  decisionSubmission(
    deps,
    'evolve.confirm_plan',
    { ...MODAL_INPUT.note, required: false, what: 'confirm an evolve search' },
    async ({ userId, metadata, text }, { tell }) => {
      if (!metadata.searchId) return tell(EVOLVE_SEARCH_GONE);
      const outcome = await confirmSearch(
        // Only the submit that moved the search hands it to the worker (the queue dedupes by search id too).
        { ...deps, searches: deps.searches, handOver: (search) => sendEvolveJob(deps, search) },
        { searchId: metadata.searchId, userId, note: text },
      );
      if (outcome.kind === 'not_found') return tell(EVOLVE_SEARCH_GONE);
      if (outcome.kind === 'not_planned') return tell(evolveNotPlanned(outcome.search));
      if (!outcome.handedOver) return tell(EVOLVE_HANDOVER_FAILED);
    },
  );
