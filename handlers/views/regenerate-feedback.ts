import { requestCodegen } from '../../src/codegen/request-codegen.js';
import { showDecisionOnCodeStep } from '../../src/codegen/code-step-record.js';
import type { CoreDeps } from '../../src/deps.js';
import { MODAL_INPUT } from '../../src/messages/modal-metadata.js';
import { decisionSubmission } from './decision-submission.js';
import { newerCodeWhileFormOpen } from '../../src/messages/click-replies.js';

/**
 * The regenerate modal: `code_ready → code_requested` with the feedback, bound to the version it was about;
 * the old code step loses its buttons (a new version needs its own run approval) and a new job is queued.
 */
export const regenerateFeedback = (deps: CoreDeps) =>
  decisionSubmission(
    deps,
    'code.regenerate_feedback',
    { ...MODAL_INPUT.feedback, required: true, what: 'regenerate code' },
    async ({ userId, metadata, text }, { tell }) => {
      const paper = await deps.papers.get(metadata.paperId);
      if (!paper || !metadata.codeHash || paper.currentCodeHash !== metadata.codeHash) {
        return tell(newerCodeWhileFormOpen('regenerated'));
      }
      const decision = await requestCodegen(deps, {
        paperId: paper.id,
        from: 'code_ready',
        actor: userId,
        feedback: text,
        artifactHash: metadata.codeHash,
      });
      if (!decision.ok) return tell(decision.message);
      await showDecisionOnCodeStep(deps, decision.paper, metadata.codeHash, decision.audit);
    },
  );
