import type { SectionBlock } from '../domain/block-kit.js';
import { describeDecision } from './describe-decision.js';
import type { AuditEntry } from '../domain/paper.js';
import { LIMITS, truncate } from './mrkdwn.js';

const MARKS: Partial<Record<AuditEntry['to'], string>> = {
  code_requested: '🛠️',
  rejected: '🚫',
  run_approved: '▶️',
  run_held: '⏸️',
};

/** The line that replaces a message's buttons once someone decided: who, what, when, why. */
export function decisionLine(audit: AuditEntry, blockId: string): SectionBlock {
  const mark = MARKS[audit.to] ?? '•';
  return {
    type: 'section',
    block_id: blockId,
    text: { type: 'mrkdwn', text: truncate(`${mark} ${describeDecision(audit)}`, LIMITS.sectionText) },
  };
}
