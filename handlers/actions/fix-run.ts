import type { BlockAction, Middleware, SlackActionMiddlewareArgs } from '@slack/bolt';
import { approverRefusal } from '../../src/approvals/approver-check.js';
import type { CoreDeps } from '../../src/deps.js';
import type { KnownBlock } from '../../src/domain/block-kit.js';
import { requestFix } from '../../src/runs/request-fix.js';
import { requestFixDeps } from '../../src/runs/run-services.js';
import { RUN_RESULT_BLOCK_IDS } from '../../src/messages/run-result.js';
import { ButtonClickSchema, splitPair, tellUser } from './action-payload.js';

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
    if (!pair)
      return tellUser(deps.chat, click, 'That button carries no paper and run; nothing was changed.', logger);
    const refusal = await approverRefusal(
      deps,
      click.user.id,
      'Only approvers can ask for a fix (see APPROVERS); nothing was changed.',
    );
    if (refusal) return tellUser(deps.chat, click, refusal, logger);
    const [paperId, runId] = pair;
    try {
      const outcome = await requestFix(requestFixDeps(deps), { paperId, runId, userId: click.user.id });
      if (outcome.kind === 'refused') return tellUser(deps.chat, click, outcome.message, logger);
      const channel = click.channel?.id ?? click.container?.channel_id;
      const message = click.message;
      if (channel && message?.blocks) {
        const blocks = message.blocks.filter((block) => block.block_id !== RUN_RESULT_BLOCK_IDS.actions);
        const line = `🛠️ <@${click.user.id}> asked Claude to fix this (round ${outcome.round} of ${deps.config.codegen.maxFixRounds}).`;
        await deps.chat
          .update({
            channel,
            ts: message.ts,
            text: message.text ?? line,
            blocks: [
              // The clicked message's own blocks, passed back as Slack sent them.
              ...(blocks as unknown as KnownBlock[]),
              {
                type: 'section',
                block_id: RUN_RESULT_BLOCK_IDS.decision,
                text: { type: 'mrkdwn', text: line },
              },
            ],
          })
          .catch((error: unknown) =>
            logger.warn({ err: error }, 'could not mark the fix request on the message'),
          );
      }
    } catch (error) {
      logger.error({ err: error, paperId, runId }, 'fix request failed');
      await tellUser(
        deps.chat,
        click,
        'Sherpa could not ask for a fix; the details are in the bot log.',
        logger,
      );
    }
  };
}
