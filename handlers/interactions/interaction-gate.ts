import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { CoreDeps } from '../../src/deps.js';
import { classifyInteraction, type Classification } from './classify-interaction.js';

type Refusal = Extract<Classification, { kind: 'refuse' }>;

const ANSWERS: Record<Refusal['reason'], string> = {
  unknown_command: 'Sherpa does not handle that command. Try `/paper help` or `/scrape help`.',
  unknown_action:
    'That button is no longer active (it may be from an older Sherpa message), so nothing was changed. ' +
    '`/paper status <id>` shows where a paper is now.',
  unknown_view: 'That form is no longer active, so nothing was changed.',
  unsupported: 'Sherpa does not handle that kind of interaction, so nothing was changed.',
  malformed: 'Sherpa could not read that interaction, so nothing was changed.',
};

/**
 * Global middleware in front of every listener: an interaction Sherpa did not issue (an unknown action id or
 * view, a stale button from an older version, a payload that does not have Slack's shape) is acknowledged and
 * answered ephemerally, and no listener ever sees it (issue 2: "never left to time out and never acted on").
 */
export function interactionGate(deps: CoreDeps): Middleware<AnyMiddlewareArgs> {
  const logger = deps.logger.child({ component: 'interaction-gate' });
  return async (args) => {
    const verdict = classifyInteraction(args.body);
    if (verdict.kind === 'pass') {
      await args.next();
      return;
    }
    const { reason, detail, userId, channelId } = verdict;
    logger.warn({ reason, detail, userId, channelId }, 'refused an interaction Sherpa did not issue');
    const text = `:no_entry: ${ANSWERS[reason]}`;
    const ack =
      'ack' in args && typeof args.ack === 'function'
        ? (args.ack as (r?: unknown) => Promise<void>)
        : undefined;
    if (verdict.isCommand) {
      await ack?.({ response_type: 'ephemeral', text });
      return;
    }
    if (verdict.isViewSubmission) {
      await ack?.({ response_action: 'update', view: closedFormView(ANSWERS[reason]) });
      return;
    }
    await ack?.();
    if (!userId || !channelId) return;
    try {
      await deps.chat.postEphemeral({ channel: channelId, user: userId, text });
    } catch (error) {
      logger.warn({ err: error, reason }, 'could not answer a refused interaction');
    }
  };
}

function closedFormView(text: string) {
  return {
    type: 'modal' as const,
    title: { type: 'plain_text' as const, text: 'Sherpa' },
    close: { type: 'plain_text' as const, text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}
