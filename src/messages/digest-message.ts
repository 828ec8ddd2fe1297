import type { ContextBlock, KnownBlock, MrkdwnElement, SectionBlock } from '../domain/block-kit.js';
import { zoneFormatter } from '../domain/zone-formatter.js';
import { ACTION_IDS } from './action-ids.js';
import { fitLines } from './fit-lines.js';
import type { MessageContent } from './message-content.js';
import { LIMITS, truncate } from './mrkdwn.js';
import { formatTime } from './slack-time.js';
import { formatUsd } from './format-units.js';
import type { DigestData } from './digest-data.js';
import { budgetLine, candidateText, runLine, sourceLine, spendLines, waitingLine } from './digest-lines.js';
import { instanceLines } from './instance-lines.js';

/** `block_id` prefix of a candidate's row; the Open thread handler finds the row it replaces by it. */
export const CANDIDATE_BLOCK_PREFIX = 'digest_candidate:';

/**
 * Lists are cut well below a section's 3000 characters: Slack refuses a message whose blocks add up to about
 * 13k characters (`msg_blocks_too_long`, slack.md §4), and a digest has several lists.
 */
const LIST_CHARS = 1200;
/** Spend fields are short in practice (a few models, a few instances); cut long ones early. */
const FIELD_CHARS = 1000;
/** What all the blocks' texts may add up to, safely below the undocumented ~13k (bolt-js #2509). */
const AGGREGATE_CHARS = 11_000;
const MORE = (n: number) => `_…and ${n} more_`;

function section(text: string, blockId?: string): SectionBlock {
  return {
    type: 'section',
    ...(blockId ? { block_id: blockId } : {}),
    text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) },
  };
}

/** No list line is shorter than this: more lines than LIST_CHARS / MIN_LINE_CHARS can never be shown. */
const MIN_LINE_CHARS = 16;

/**
 * A list of items as lines up to LIST_CHARS, the rest counted. Only the lines that can be shown are formatted:
 * a digest may list hundreds of waiting papers, and formatting each (escaping, truncating, a link) was a few
 * milliseconds of the event loop that acks Slack (issue 14, item 3).
 */
function listSection<T>(
  title: string,
  items: readonly T[],
  line: (item: T) => string,
  empty: string,
): SectionBlock {
  const shown = items.slice(0, Math.ceil(LIST_CHARS / MIN_LINE_CHARS)).map(line);
  const body = items.length > 0 ? fitLines(shown, LIST_CHARS, MORE, items.length) : empty;
  return section(`*${title}*\n${body}`);
}

function dayTitle(data: DigestData): string {
  return `Sherpa digest · ${zoneFormatter('weekdayDate', data.timeZone).format(new Date(data.generatedAt))}`;
}

/** A row per candidate with its own **Open thread** button (approvers only; checked on click). */
export function candidateBlock(paper: DigestData['candidates'][number]): SectionBlock {
  return {
    ...section(candidateText(paper), `${CANDIDATE_BLOCK_PREFIX}${paper.id}`),
    accessory: {
      type: 'button',
      action_id: ACTION_IDS.openThread,
      text: { type: 'plain_text', text: 'Open thread' },
      value: paper.id,
    },
  };
}

/** Characters of text in a block, every `text` string counted (sections, fields, buttons, context). */
export function textLength(node: unknown): number {
  if (typeof node === 'string') return 0;
  if (Array.isArray(node)) return node.reduce((sum: number, child) => sum + textLength(child), 0);
  if (!node || typeof node !== 'object') return 0;
  let sum = 0;
  for (const [key, value] of Object.entries(node)) {
    sum += key === 'text' && typeof value === 'string' ? value.length : textLength(value);
  }
  return sum;
}

/**
 * The candidate rows, as many as fit both the block count (`room`) and the character budget left by the
 * rest of the digest; the rest are counted in "…and N more".
 */
function candidateBlocks(data: DigestData, room: number, chars: number): KnownBlock[] {
  if (data.candidatesTotal === 0) return [];
  const title = section(`*Best candidates without a thread* (${data.candidatesTotal})`);
  const blocks: KnownBlock[] = [title];
  let used = textLength(title) + 200;
  for (const paper of data.candidates.slice(0, Math.max(0, room))) {
    const row = candidateBlock(paper);
    used += textLength(row);
    if (used > chars) break;
    blocks.push(row);
  }
  const left = data.candidatesTotal - (blocks.length - 1);
  if (left > 0) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${left} more: \`/paper search status:accepted\`` }],
    });
  }
  return blocks;
}

function spendBlock(data: DigestData): SectionBlock {
  const { today, month, dailyBudgetUsd } = data.spend;
  const field = (text: string): MrkdwnElement => ({
    type: 'mrkdwn',
    text: fitLines(text.split('\n'), FIELD_CHARS, MORE),
  });
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: '*Spend*' },
    fields: [
      field(`*Today*: ${budgetLine(today.usd, dailyBudgetUsd)}\n${spendLines(today).join('\n')}`),
      field(`*This month*: ${formatUsd(month.usd)}\n${spendLines(month).join('\n')}`),
    ],
  };
}

export interface DigestOptions {
  /** Set for `/paper digest`: the digest says who asked for it, so nobody mistakes it for the daily one. */
  requestedBy?: string;
}

function footer(data: DigestData, options: DigestOptions): ContextBlock {
  const since = formatTime(data.windowStart, data.timeZone);
  const asked = options.requestedBy ? `Posted now for <@${options.requestedBy}> · ` : '';
  return {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `${asked}Counts cover the 24 h since ${since} (${data.timeZone}) · \`/paper digest\` posts one now · \`/paper search\` finds any paper`,
      },
    ],
  };
}

/** Nothing came in, nothing waits for anyone, no run ended, nothing was spent and no instance is up. */
export function isQuiet(data: DigestData): boolean {
  const instanceRunning =
    data.instances.kind === 'ok' && data.instances.statuses.some((s) => s.state !== 'stopped');
  return (
    data.sources.length === 0 &&
    data.candidatesTotal === 0 &&
    data.waiting.length === 0 &&
    data.finishedRuns.length === 0 &&
    data.spend.today.usd === 0 &&
    !instanceRunning
  );
}

export function quietDigestMessage(data: DigestData, options: DigestOptions = {}): MessageContent {
  const asked = options.requestedBy ? ` (posted now for <@${options.requestedBy}>)` : '';
  const text =
    `☀️ *Quiet day* (${data.day}): nothing new in the last 24 h, nothing waiting for a decision, ` +
    `no runs finished, ${formatUsd(data.spend.today.usd)} spent today (${formatUsd(data.spend.month.usd)} this month).${asked}`;
  return { text: text.replace(/\*/g, ''), blocks: [section(text)] };
}

function fallbackText(data: DigestData): string {
  const scraped = data.sources.reduce((sum, s) => sum + s.scraped, 0);
  return (
    `Sherpa digest for ${data.day}: ${scraped} papers scraped, ${data.candidatesTotal} candidates without a ` +
    `thread, ${data.waiting.length} waiting for a decision, ${data.finishedRuns.length} runs finished, ` +
    `${formatUsd(data.spend.today.usd)} spent today.`
  );
}

/**
 * The daily digest as one message within Block Kit's limits: at most 50 blocks (candidates are the only
 * rows that grow, and they are cut first with "…and N more"), lists trimmed by whole lines.
 */
export function digestMessage(data: DigestData, options: DigestOptions = {}): MessageContent {
  const now = new Date(data.generatedAt);
  const head: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(dayTitle(data), LIMITS.headerText) } },
    listSection('New papers', data.sources, sourceLine, '_Nothing new came in._'),
    { type: 'divider' },
  ];
  const tail: KnownBlock[] = [
    listSection('Waiting for a decision', data.waiting, waitingLine, '_Nothing is waiting for anyone._'),
    listSection('Runs finished', data.finishedRuns, runLine, '_No runs finished._'),
    spendBlock(data),
    listSection('Instances', instanceLines(data.instances, now), (line) => line, ''),
    footer(data, options),
  ];
  // Room for the candidate rows: the header line and a possible "and N more" take two blocks.
  const room = LIMITS.blocksPerMessage - head.length - tail.length - 2;
  const chars = AGGREGATE_CHARS - textLength(head) - textLength(tail);
  return { text: fallbackText(data), blocks: [...head, ...candidateBlocks(data, room, chars), ...tail] };
}
