import type { BlockAction, Middleware, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { approverRefusal } from '../../src/approvals/approver-check.js';
import { notAnApprover } from '../../src/messages/approver-refusals.js';
import type { CoreDeps } from '../../src/deps.js';
import type { Logger } from '../../src/logging/logger.js';
import { ButtonClickSchema, channelOf, tellUser, type ButtonClick } from './action-payload.js';
import { CLICK_FAILED } from '../../src/messages/click-replies.js';

/** The run buttons' click shape, plus what opening a modal and answering in a thread need. */
const DecisionClickSchema = ButtonClickSchema.extend({
  trigger_id: z.string(),
  container: z
    .object({
      channel_id: z.string().optional(),
      message_ts: z.string().optional(),
      thread_ts: z.string().optional(),
    })
    .optional(),
  message: z
    .object({
      ts: z.string(),
      thread_ts: z.string().optional(),
      text: z.string().optional(),
      blocks: z.array(z.record(z.string(), z.unknown())).optional(),
    })
    .optional(),
});

export interface DecisionClick {
  userId: string;
  triggerId: string;
  channel: string;
  /** The message the button is on. */
  messageTs: string;
  /** The thread it belongs to (the message itself when it is a root). */
  threadTs: string;
  value: string;
  raw: ButtonClick;
}

export interface ClickContext {
  deps: CoreDeps;
  logger: Logger;
  /** An ephemeral answer to the clicker alone, in the thread of the click. */
  tell(text: string): Promise<void>;
}

/**
 * The path every approval button takes: ack at once, read the payload (ids only: the button value is never
 * proof of anything), check the clicker against APPROVERS, then the work. A non-approver's click changes
 * nothing and gets an ephemeral refusal; an error is logged in full and told in one line.
 */
export function approverClick(
  deps: CoreDeps,
  name: string,
  what: string,
  work: (click: DecisionClick, context: ClickContext) => Promise<void>,
): Middleware<SlackActionMiddlewareArgs<BlockAction>> {
  const logger = deps.logger.child({ handler: name });
  return async ({ ack, body }) => {
    await ack();
    const parsed = DecisionClickSchema.safeParse(body);
    const channel = parsed.success ? channelOf(parsed.data) : undefined;
    if (!parsed.success || !channel || !parsed.data.message) {
      logger.warn(
        { issues: parsed.success ? 'no channel or message' : parsed.error.message },
        'click not understood',
      );
      return;
    }
    const raw = parsed.data;
    const message = raw.message!;
    const click: DecisionClick = {
      userId: raw.user.id,
      triggerId: raw.trigger_id,
      channel,
      messageTs: message.ts,
      threadTs: message.thread_ts ?? raw.container?.thread_ts ?? message.ts,
      value: raw.actions[0]?.value ?? '',
      raw,
    };
    const tell = async (text: string) => {
      try {
        await deps.chat.postEphemeral({ channel, user: click.userId, thread_ts: click.threadTs, text });
      } catch (error) {
        // Outside a thread (or a thread Slack no longer has) the plain ephemeral still reaches the clicker.
        await tellUser(deps.chat, raw, text, logger).catch(() => undefined);
        logger.debug({ err: error }, 'ephemeral in thread failed');
      }
    };
    try {
      const refusal = await approverRefusal(deps, click.userId, notAnApprover(what, { mark: true }));
      if (refusal) {
        logger.info({ userId: click.userId }, 'refused a click from someone not known to be an approver');
        await tell(refusal);
        return;
      }
      await work(click, { deps, logger, tell });
    } catch (error) {
      logger.error({ err: error, value: click.value }, 'approval click failed');
      await tell(CLICK_FAILED);
    }
  };
}

/** `p_…` alone, or the paper id before a colon (`p_…:hash`, `p_…:codegen`). */
export function paperIdOf(value: string): string | undefined {
  return /^(p_[a-z0-9]+)(?::[A-Za-z0-9_-]+)?$/.exec(value)?.[1];
}
