import type { BlockAction, Middleware, SlackActionMiddlewareArgs } from '@slack/bolt';
import { approverRefusal } from '../../src/approvals/approver-check.js';
import { notAnApprover } from '../../src/messages/approver-refusals.js';
import type { CoreDeps } from '../../src/deps.js';
import { requestRun, type RunRequestKind } from '../../src/runs/request-run.js';
import { requestRunDeps } from '../../src/runs/run-services.js';
import { codeBackendOf } from '../../src/domain/code-version.js';
import { ButtonClickSchema, replaceButtons, splitRunValue, tellUser } from './action-payload.js';
import {
  backendMismatch,
  buttonWithout,
  COMPUTE_OFF,
  RUN_REQUEST_FAILED,
} from '../../src/messages/click-replies.js';

export { COMPUTE_OFF };

const VERB: Record<RunRequestKind, string> = {
  approve: 'start runs',
  rerun: 're-run code',
  override: 'override the budget',
};

/**
 * Run on Trainium, Re-run and Override share one path: ack, check the clicker is an approver, then one
 * compare-and-set bound to the code hash on the button (`requestRun`). The thread gets the progress message
 * (or the over-budget hold); the clicker alone hears why nothing happened.
 */
export function requestRunAction(
  deps: CoreDeps,
  kind: RunRequestKind,
  blockIds: { actions: string; decision: string },
): Middleware<SlackActionMiddlewareArgs<BlockAction>> {
  const logger = deps.logger.child({ handler: `run.${kind}` });
  return async ({ ack, body }) => {
    await ack();
    const parsed = ButtonClickSchema.safeParse(body);
    if (!parsed.success) {
      logger.warn({ issues: parsed.error.issues.length }, 'run button payload not understood');
      return;
    }
    const click = parsed.data;
    const bound = splitRunValue(click.actions[0]?.value);
    if (!bound) return tellUser(deps.chat, click, buttonWithout('paper and code'), logger);
    const { paperId, codeHash } = bound;
    if (!deps.compute) return tellUser(deps.chat, click, COMPUTE_OFF, logger);
    const refusal = await approverRefusal(deps, click.user.id, notAnApprover(VERB[kind]));
    if (refusal) return tellUser(deps.chat, click, refusal, logger);
    if (bound.backend) {
      // A Run on GPU click must never run Trainium code (or the reverse): the version's backend decides placement.
      const version = (await deps.papers.get(paperId))?.codeVersions.find((v) => v.hash === codeHash);
      if (version && codeBackendOf(version) !== bound.backend)
        return tellUser(deps.chat, click, backendMismatch(bound.backend, codeBackendOf(version)), logger);
    }
    try {
      const outcome = await requestRun(requestRunDeps({ ...deps, compute: deps.compute }), {
        kind,
        paperId,
        codeHash,
        userId: click.user.id,
      });
      if (outcome.kind === 'stale' || outcome.kind === 'refused')
        return tellUser(deps.chat, click, outcome.message, logger);
      if (outcome.decision) await replaceButtons(deps.chat, click, blockIds, outcome.decision, logger);
    } catch (error) {
      logger.error({ err: error, paperId }, 'run request failed');
      await tellUser(deps.chat, click, RUN_REQUEST_FAILED, logger);
    }
  };
}
