import type { CoreDeps } from '../../src/deps.js';
import { requestCodegen } from '../../src/codegen/request-codegen.js';
import { showDecisionOnRoot } from '../../src/threads/update-root.js';
import { approverClick, paperIdOf } from './approver-click.js';
import { buttonWithout } from '../../src/messages/click-replies.js';

/**
 * **Generate code** on a thread root (value = paper id): `accepted → code_requested` as one compare-and-set,
 * then the job on the codegen queue. Of fifty clicks (double clicks, two approvers, redelivered envelopes)
 * exactly one wins; the others are told who asked first and when.
 */
export const generateCode = (deps: CoreDeps) =>
  approverClick(deps, 'paper.generate_code', 'ask for code', async (click, { tell }) => {
    const paperId = paperIdOf(click.value);
    if (!paperId) return tell(buttonWithout('paper id'));
    const decision = await requestCodegen(deps, { paperId, from: 'accepted', actor: click.userId });
    if (!decision.ok) return tell(decision.message);
    await showDecisionOnRoot(deps, decision.paper, decision.audit);
  });
