import type { BlockAction, Middleware, SlackActionMiddlewareArgs } from '@slack/bolt';
import { approverRefusal } from '../../src/approvals/approver-check.js';
import { notAnApprover } from '../../src/messages/approver-refusals.js';
import type { CoreDeps } from '../../src/deps.js';
import { requestFix } from '../../src/runs/request-fix.js';
import { requestFixDeps } from '../../src/runs/run-services.js';
import { ButtonClickSchema, splitPair, tellUser } from './action-payload.js';
import { buttonWithout, FIX_REQUEST_FAILED } from '../../src/messages/click-replies.js';
import { fixRequestedLine, withFixRequested } from '../../src/messages/message-edits.js';

/**
 * **Ask Claude to fix** on a failed run (value `paperId:runId`): the failure goes back to code generation as
 * feedback; the fixed code arrives as a new code step that needs its own Run click.
 */
export function fixRun(deps: CoreDeps): Middleware<SlackActionMiddlewareArgs<BlockAction>> {
  const logger = deps.logger.child({ handler: 'run.fix' });
  return async ({ ack, body }) => {
    await ack();
    const parsed = ButtonClickSchema.safeParse(body);
    if (!parsed.success) return;
    const click = parsed.data;
    const pair = splitPair(click.actions[0]?.value);
    if (!pair) return tellUser(deps.chat, click, buttonWithout('paper and run'), logger);
    const refusal = await approverRefusal(deps, click.user.id, notAnApprover('ask for a fix'));
    if (refusal) return tellUser(deps.chat, click, refusal, logger);
    const [paperId, runId] = pair;
    try {
      const outcome = await requestFix(requestFixDeps(deps), { paperId, runId, userId: click.user.id });
      if (outcome.kind === 'refused') return tellUser(deps.chat, click, outcome.message, logger);
      const channel = click.channel?.id ?? click.container?.channel_id;
      const message = click.message;
      if (channel && message?.blocks) {
        const view = {
          userId: click.user.id,
          round: outcome.round,
          maxRounds: deps.config.codegen.maxFixRounds,
        };
        await deps.chat
          .update({
            channel,
            ts: message.ts,
            text: message.text ?? fixRequestedLine(view),
            blocks: withFixRequested(message.blocks, view),
          })
          .catch((error: unknown) =>
            logger.warn({ err: error }, 'could not mark the fix request on the message'),
          );
      }
    } catch (error) {
      logger.error({ err: error, paperId, runId }, 'fix request failed');
      await tellUser(deps.chat, click, FIX_REQUEST_FAILED, logger);
    }
  };
}
