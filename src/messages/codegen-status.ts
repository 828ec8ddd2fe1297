import type { KnownBlock } from '../domain/block-kit.js';
import type { AuditEntry } from '../domain/paper.js';
import { actorMention } from './describe-decision.js';
import { ACTION_IDS } from './action-ids.js';
import { decisionLine } from './decision-line.js';
import type { MessageContent } from './message-content.js';
import { LIMITS, escapeMrkdwn, truncate } from './mrkdwn.js';

export const CODEGEN_FAILED_BLOCK_IDS = {
  actions: 'codegen_failed_actions',
  decision: 'codegen_retried',
} as const;

/** The thread reply right after a code request, so the requester sees that work started. */
export function codegenStartedMessage(input: {
  requestedBy: string;
  modelId: string;
  feedback?: string;
}): MessageContent {
  const feedback = input.feedback ? `\nFeedback: “${escapeMrkdwn(truncate(input.feedback, 500))}”` : '';
  const text =
    `🛠️ ${actorMention(input.requestedBy)} asked for code. Claude (\`${escapeMrkdwn(input.modelId)}\`) ` +
    `plans, writes and reviews a Trainium training script; it is checked before it is posted here.${feedback}`;
  return {
    text: 'Generating code…',
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } }],
  };
}

/**
 * Code generation failed: the reason in one short paragraph, and **Retry** (approvers only). Once someone
 * retries, the button is replaced by who retried and when.
 */
export function codegenFailedMessage(input: {
  paperId: string;
  reason: string;
  retried?: AuditEntry;
}): MessageContent {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(`⚠️ *Code generation failed.* ${escapeMrkdwn(input.reason)}`, LIMITS.sectionText),
      },
    },
  ];
  if (input.retried) {
    blocks.push(decisionLine(input.retried, CODEGEN_FAILED_BLOCK_IDS.decision));
  } else {
    blocks.push({
      type: 'actions',
      block_id: CODEGEN_FAILED_BLOCK_IDS.actions,
      elements: [
        {
          type: 'button',
          action_id: ACTION_IDS.retryStep,
          text: { type: 'plain_text', text: 'Retry' },
          value: `${input.paperId}:codegen`,
        },
      ],
    });
  }
  return {
    text: truncate(`Code generation failed: ${escapeMrkdwn(input.reason)}`, LIMITS.messageText),
    blocks,
  };
}
