import type { ActionsBlock, KnownBlock, MrkdwnElement, SectionBlock } from '../domain/block-kit.js';
import type { AuditEntry, Paper } from '../domain/paper.js';
import { ACTION_IDS } from './action-ids.js';
import { decisionLine } from './decision-line.js';
import type { MessageContent } from './message-content.js';
import { LIMITS, escapeMrkdwn, truncate } from './mrkdwn.js';
import { authorLine, feasibilityMark, paperLinks, venueLine } from './paper-facts.js';

export const ROOT_BLOCK_IDS = { actions: 'paper_actions', decision: 'paper_decision' } as const;

/** How much of the abstract the root shows; the links lead to the rest. */
const ABSTRACT_CHARS = 700;

export interface ThreadRootOptions {
  /** Set once a human decided at this gate: the buttons go, and the root says who, when and why. */
  decision?: AuditEntry;
  /** A line above the buttons, e.g. "Opened by <@U1> with /paper run". */
  note?: string;
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } };
}

function verdictBlocks(paper: Paper): KnownBlock[] {
  const verdict = paper.verdict;
  if (!verdict) return [section('_Not judged yet._')];
  const fields: MrkdwnElement[] = [];
  if (verdict.relevance !== undefined)
    fields.push({ type: 'mrkdwn', text: `*Relevance*\n${verdict.relevance}/10` });
  if (verdict.novelty !== undefined)
    fields.push({ type: 'mrkdwn', text: `*Novelty*\n${verdict.novelty}/10` });
  if (verdict.feasibility) {
    fields.push({ type: 'mrkdwn', text: `*Trainium*\n${feasibilityMark(verdict.feasibility.verdict)}` });
  }
  const blocks: KnownBlock[] = [];
  if (fields.length > 0) blocks.push({ type: 'section', fields });
  const lines = [`*Why:* ${escapeMrkdwn(verdict.rationale)}`];
  if (verdict.feasibility) lines.push(`*Feasibility:* ${escapeMrkdwn(verdict.feasibility.reason)}`);
  if (verdict.smallestExperiment) {
    lines.push(`*Smallest experiment:* ${escapeMrkdwn(verdict.smallestExperiment)}`);
  }
  blocks.push(section(lines.join('\n')));
  return blocks;
}

function actionBlock(paper: Paper): ActionsBlock {
  return {
    type: 'actions',
    block_id: ROOT_BLOCK_IDS.actions,
    elements: [
      {
        type: 'button',
        action_id: ACTION_IDS.generateCode,
        text: { type: 'plain_text', text: 'Generate code' },
        style: 'primary',
        value: paper.id,
        confirm: {
          title: { type: 'plain_text', text: 'Generate code?' },
          text: {
            type: 'plain_text',
            text: 'Claude reads the paper and writes a training script for Trainium. It is checked, then posted here for a run approval.',
          },
          confirm: { type: 'plain_text', text: 'Generate' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      },
      {
        type: 'button',
        action_id: ACTION_IDS.rejectPaper,
        text: { type: 'plain_text', text: 'Reject' },
        style: 'danger',
        value: paper.id,
        confirm: {
          title: { type: 'plain_text', text: 'Reject this paper?' },
          text: {
            type: 'plain_text',
            text: 'You can give a reason in the next step. No code will be generated.',
          },
          confirm: { type: 'plain_text', text: 'Reject' },
          deny: { type: 'plain_text', text: 'Cancel' },
          style: 'danger',
        },
      },
    ],
  };
}

/**
 * The thread root for a paper worth the team's attention: what it is, why the judge picked it, and the first
 * human gate. Pure: the same paper (and decision) always gives the same message.
 */
export function paperThreadRoot(paper: Paper, options: ThreadRootOptions = {}): MessageContent {
  const venue = venueLine(paper);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(paper.title, LIMITS.headerText) } },
    section(`*${escapeMrkdwn(venue)}*\n${escapeMrkdwn(authorLine(paper.authors))}\n${paperLinks(paper)}`),
    section(escapeMrkdwn(truncate(paper.abstract || 'No abstract.', ABSTRACT_CHARS))),
    { type: 'divider' },
    ...verdictBlocks(paper),
  ];
  const context = [`\`${paper.id}\``];
  if (options.note) context.push(options.note);
  blocks.push({
    type: 'context',
    elements: context.map((text) => ({ type: 'mrkdwn', text: truncate(text, LIMITS.fieldText) })),
  });
  if (options.decision) {
    blocks.push(decisionLine(options.decision, ROOT_BLOCK_IDS.decision));
  } else {
    blocks.push(actionBlock(paper));
  }
  return {
    text: truncate(`📄 ${escapeMrkdwn(paper.title)} (${escapeMrkdwn(venue)})`, LIMITS.messageText),
    blocks,
  };
}
