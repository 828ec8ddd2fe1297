import { decide } from '../../src/approvals/decide.js';
import type { CoreDeps } from '../../src/deps.js';
import { MODAL_INPUT } from '../../src/messages/modal-metadata.js';
import { showDecisionOnRoot } from '../../src/threads/update-root.js';
import { decisionSubmission } from './decision-submission.js';

/** The reject-paper modal: `accepted → rejected` with the reason, then the root shows who, when and why. */
export const rejectPaperReason = (deps: CoreDeps) =>
  decisionSubmission(
    deps,
    'paper.reject_reason',
    { ...MODAL_INPUT.reason, required: false, what: 'reject papers' },
    async ({ userId, metadata, text }, { tell }) => {
      const decision = await decide(deps, {
        paperId: metadata.paperId,
        from: 'accepted',
        to: 'rejected',
        actor: userId,
        ...(text ? { note: text, patch: { lastNote: text } } : {}),
      });
      if (!decision.ok) return tell(decision.message);
      await showDecisionOnRoot(deps, decision.paper, decision.audit);
    },
  );
