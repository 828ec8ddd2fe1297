import type { AuditEntry, ThreadRef } from '../domain/paper.js';
import type { KnownBlock, SectionBlock } from '../domain/block-kit.js';
import { decisionLine } from './decision-line.js';
import { CANDIDATE_BLOCK_PREFIX } from './digest-message.js';
import { link, truncate } from './mrkdwn.js';
import { RUN_RESULT_BLOCK_IDS } from './run-result.js';
import { threadUrl } from './slack-time.js';

/**
 * Edits of a message already in Slack, after someone clicked one of its buttons: the blocks come back in the
 * click's payload (as Slack echoes them), and the edit replaces only the part the click settled. Pure.
 */

/** A block as the click payload echoes it: Slack's own shape, read only for its `block_id` and text. */
export type EchoedBlock = Record<string, unknown> & { block_id?: string };

/** What an edited message falls back to in notifications when the original had no text. */
export const DECISION_RECORDED_TEXT = 'Decision recorded';
export const DIGEST_FALLBACK_TEXT = 'Sherpa digest';

/**
 * Swap the clicked message's buttons for the line saying who decided what (slack.md §5.3): clicks already in
 * flight are still refused by the state check, but nobody is invited to click again.
 */
export function withDecisionLine(
  blocks: readonly EchoedBlock[],
  ids: { actions: string; decision: string },
  audit: AuditEntry,
): KnownBlock[] {
  return blocks.map((block) =>
    block.block_id === ids.actions ? decisionLine(audit, ids.decision) : (block as unknown as KnownBlock),
  );
}

/** The line a failed run's result shows once someone asked Claude to fix it. */
export function fixRequestedLine(view: { userId: string; round: number; maxRounds: number }): string {
  return `🛠️ <@${view.userId}> asked Claude to fix this (round ${view.round} of ${view.maxRounds}).`;
}

/** The run result without its buttons, ending with who asked for the fix and which round it is. */
export function withFixRequested(
  blocks: readonly EchoedBlock[],
  view: { userId: string; round: number; maxRounds: number },
): KnownBlock[] {
  const kept = blocks.filter((block) => block.block_id !== RUN_RESULT_BLOCK_IDS.actions);
  return [
    ...(kept as unknown as KnownBlock[]),
    {
      type: 'section',
      block_id: RUN_RESULT_BLOCK_IDS.decision,
      text: { type: 'mrkdwn', text: fixRequestedLine(view) },
    },
  ];
}

/** The note on the thread root of a paper opened from the digest. */
export function openedFromDigest(userId: string): string {
  return `Opened by <@${userId}> from the digest.`;
}

/** A digest candidate's row once its thread is open: its button gives way to a link to the thread. */
export function withCandidateOpened(
  blocks: readonly EchoedBlock[],
  view: { paperId: string; thread: ThreadRef; userId: string },
): KnownBlock[] {
  const line = `→ ${link(threadUrl(view.thread), 'thread')} opened by <@${view.userId}>`;
  return blocks.map((block) => {
    if (block.block_id !== `${CANDIDATE_BLOCK_PREFIX}${view.paperId}`) return block as unknown as KnownBlock;
    const text = (block.text as { text?: string } | undefined)?.text ?? '';
    return {
      type: 'section',
      block_id: block.block_id,
      text: { type: 'mrkdwn', text: truncate(`${text}\n${line}`, 3000) },
    } satisfies SectionBlock;
  });
}
