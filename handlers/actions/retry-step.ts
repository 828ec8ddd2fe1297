import type { CoreDeps } from '../../src/deps.js';
import { requestCodegen } from '../../src/codegen/request-codegen.js';
import { failureMessageKey, type FailureMessageRecord } from '../../src/codegen/report-failure.js';
import { codegenFailedMessage } from '../../src/messages/codegen-status.js';
import { approverClick } from './approver-click.js';
import { buttonWithout, cannotRetryStep } from '../../src/messages/click-replies.js';

/**
 * **Retry** on a failed step (value `paperId:step`). Code generation is the step that posts one:
 * `code_failed → code_requested` and a new job; the failure message shows who retried instead of the button.
 */
export const retryStep = (deps: CoreDeps) =>
  approverClick(deps, 'step.retry', 'retry a step', async (click, { tell, logger }) => {
    const match = /^(p_[a-z0-9]+):([a-z_]+)$/.exec(click.value);
    if (!match) return tell(buttonWithout('paper and step'));
    const [, paperId = '', step = ''] = match;
    if (step !== 'codegen') return tell(cannotRetryStep(step));
    const decision = await requestCodegen(deps, { paperId, from: 'code_failed', actor: click.userId });
    if (!decision.ok) return tell(decision.message);
    const record = (await deps.coordination.get<FailureMessageRecord>(failureMessageKey(paperId)))?.value;
    if (!record) return;
    await deps.chat
      .update({
        channel: record.channel,
        ts: record.ts,
        ...codegenFailedMessage({ paperId, reason: record.reason, retried: decision.audit }),
      })
      .catch((error: unknown) =>
        logger.warn({ err: error, paperId }, 'could not mark the failure as retried'),
      );
  });
