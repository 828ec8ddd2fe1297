import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { CoreDeps } from '../../src/deps.js';
import type { AfterAckQueue } from '../after-ack-queue.js';
import { closedFormView, interactionRefusedAnswer } from '../../src/messages/interaction-refusals.js';
import { classifyInteraction } from './classify-interaction.js';

/**
 * Global middleware in front of every listener: an interaction Sherpa did not issue (an unknown action id or
 * view, a stale button from an older version, a payload that does not have Slack's shape) is acknowledged and
 * answered ephemerally, and no listener ever sees it (issue 2: "never left to time out and never acted on").
 */
export function interactionGate(deps: CoreDeps, afterAck?: AfterAckQueue): Middleware<AnyMiddlewareArgs> {
  const logger = deps.logger.child({ component: 'interaction-gate' });
  return async (args) => {
    const verdict = classifyInteraction(args.body);
    if (verdict.kind === 'pass') {
      await args.next();
      return;
    }
    const { reason, detail, userId, channelId } = verdict;
    logger.warn({ reason, detail, userId, channelId }, 'refused an interaction Sherpa did not issue');
    const { text } = interactionRefusedAnswer(reason);
    const ack =
      'ack' in args && typeof args.ack === 'function'
        ? (args.ack as (r?: unknown) => Promise<void>)
        : undefined;
    if (verdict.isCommand) {
      await ack?.({ response_type: 'ephemeral', text });
      return;
    }
    if (verdict.isViewSubmission) {
      await ack?.({ response_action: 'update', view: closedFormView(reason) });
      return;
    }
    await ack?.();
    if (!userId || !channelId) return;
    // The answer waits behind pending acks like every other follow-up (issue 14, item 3).
    const answer = async () => {
      try {
        await deps.chat.postEphemeral({ channel: channelId, user: userId, text });
      } catch (error) {
        logger.warn({ err: error, reason }, 'could not answer a refused interaction');
      }
    };
    await (afterAck ? afterAck.run(answer) : answer());
  };
}
