import { type CodegenHold, codegenHoldKey } from '../../src/codegen/codegen-budget.js';
import { requestCodegen } from '../../src/codegen/request-codegen.js';
import type { CoreDeps } from '../../src/deps.js';
import { CODEGEN_HELD_BLOCK_IDS } from '../../src/messages/codegen-held.js';
import { showDecisionOnRoot } from '../../src/threads/update-root.js';
import { replaceButtons } from './action-payload.js';
import { approverClick, paperIdOf } from './approver-click.js';
import { buttonWithout, NOTHING_HELD } from '../../src/messages/click-replies.js';

/**
 * **Override budget and generate** on a code generation held for DAILY_BUDGET_USD (value = paper id): the held
 * request goes ahead as asked (same feedback, same code version), past the budget, as one compare-and-set;
 * a second click is told who overrode first. The hold message then says who overrode, instead of the button.
 */
export const overrideCodegenBudget = (deps: CoreDeps) =>
  approverClick(deps, 'codegen.override_budget', 'override the budget', async (click, { tell, logger }) => {
    const paperId = paperIdOf(click.value);
    if (!paperId) return tell(buttonWithout('paper id'));
    const key = codegenHoldKey(paperId);
    const hold = await deps.coordination.get<CodegenHold>(key);
    if (!hold) return tell(NOTHING_HELD);
    const decision = await requestCodegen(deps, {
      paperId,
      from: hold.value.from,
      actor: click.userId,
      overrideBudget: true,
      ...(hold.value.feedback ? { feedback: hold.value.feedback } : {}),
      ...(hold.value.artifactHash ? { artifactHash: hold.value.artifactHash } : {}),
      ...(hold.value.backend ? { backend: hold.value.backend } : {}),
    });
    if (!decision.ok) return tell(decision.message);
    await deps.coordination.delete(key, { ifVersion: hold.version });
    logger.info({ paperId, userId: click.userId }, 'daily budget overridden for code generation');
    await replaceButtons(deps.chat, click.raw, CODEGEN_HELD_BLOCK_IDS, decision.audit, logger);
    await showDecisionOnRoot(deps, decision.paper, decision.audit);
  });
