import { z } from 'zod';
import type { AuditEntry } from '../../src/domain/paper.js';
import type { Logger } from '../../src/logging/logger.js';
import type { Chat } from '../../src/ports/chat.js';
import { DECISION_RECORDED_TEXT, withDecisionLine } from '../../src/messages/message-edits.js';

/** The parts of a `block_actions` payload the run buttons read (slack.md §2), checked, not trusted. */
export const ButtonClickSchema = z.object({
  user: z.object({ id: z.string() }),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ channel_id: z.string().optional(), message_ts: z.string().optional() }).optional(),
  message: z
    .object({
      ts: z.string(),
      text: z.string().optional(),
      blocks: z.array(z.record(z.string(), z.unknown())).optional(),
    })
    .optional(),
});
export type ButtonClick = z.infer<typeof ButtonClickSchema>;

/** `paperId:second` from a button value (a code hash or a run id); ids never contain a colon. */
export function splitPair(value: string | undefined): [string, string] | undefined {
  const match = /^(p_[a-z0-9]+):([A-Za-z0-9_-]+)$/.exec(value ?? '');
  return match ? [match[1] as string, match[2] as string] : undefined;
}

/** A run button's value: `paperId:codeHash`, and the backend it is bound to when both are configured. */
export function splitRunValue(
  value: string | undefined,
): { paperId: string; codeHash: string; backend?: 'neuron' | 'cuda' } | undefined {
  const match = /^(p_[a-z0-9]+):([A-Za-z0-9_-]+?)(?::(neuron|cuda))?$/.exec(value ?? '');
  if (!match) return undefined;
  const [, paperId, codeHash, backend] = match as unknown as [string, string, string, string | undefined];
  return { paperId, codeHash, ...(backend ? { backend: backend as 'neuron' | 'cuda' } : {}) };
}

export function channelOf(click: ButtonClick): string | undefined {
  return click.channel?.id ?? click.container?.channel_id;
}

export async function tellUser(chat: Chat, click: ButtonClick, text: string, logger: Logger): Promise<void> {
  const channel = channelOf(click);
  if (!channel) return;
  try {
    await chat.postEphemeral({ channel, user: click.user.id, text });
  } catch (error) {
    logger.warn({ err: error }, 'could not answer a button click');
  }
}

/**
 * Swap the clicked message's buttons for the line saying who decided what (slack.md §5.3): clicks already in
 * flight are still refused by the state check, but nobody is invited to click again.
 */
export async function replaceButtons(
  chat: Chat,
  click: ButtonClick,
  ids: { actions: string; decision: string },
  audit: AuditEntry,
  logger: Logger,
): Promise<void> {
  const channel = channelOf(click);
  const message = click.message;
  if (!channel || !message?.blocks) return;
  const blocks = withDecisionLine(message.blocks, ids, audit);
  try {
    await chat.update({
      channel,
      ts: message.ts,
      blocks,
      text: message.text ?? DECISION_RECORDED_TEXT,
    });
  } catch (error) {
    logger.warn({ err: error }, 'could not replace the buttons of the clicked message');
  }
}
