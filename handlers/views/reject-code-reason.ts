import { decide } from '../../src/approvals/decide.js';
import { showDecisionOnCodeStep } from '../../src/codegen/code-step-record.js';
import type { CoreDeps } from '../../src/deps.js';
import { MODAL_INPUT } from '../../src/messages/modal-metadata.js';
import { decisionSubmission } from './decision-submission.js';
import { newerCodeWhileFormOpen } from '../../src/messages/click-replies.js';

/**
 * The reject-code modal: `code_ready → rejected`, bound to the code hash the modal was opened for (a newer
 * version that arrived meanwhile is not rejected by accident), then the code step shows the decision.
 */
export const rejectCodeReason = (deps: CoreDeps) =>
  decisionSubmission(
    deps,
    'code.reject_reason',
    { ...MODAL_INPUT.reason, required: false, what: 'reject code' },
    async ({ userId, metadata, text }, { tell }) => {
      const paper = await deps.papers.get(metadata.paperId);
      if (!paper || !metadata.codeHash || paper.currentCodeHash !== metadata.codeHash) {
        return tell(newerCodeWhileFormOpen('rejected'));
      }
      const decision = await decide(deps, {
        paperId: paper.id,
        from: 'code_ready',
        to: 'rejected',
        actor: userId,
        artifactHash: metadata.codeHash,
        ...(text ? { note: text, patch: { lastNote: text } } : {}),
      });
      if (!decision.ok) return tell(decision.message);
      await showDecisionOnCodeStep(deps, decision.paper, metadata.codeHash, decision.audit);
    },
  );
