import type { HomeView, KnownBlock } from '../domain/block-kit.js';
import { PAPER_STATES, type PaperState } from '../domain/paper-state.js';
import type { Paper } from '../domain/paper.js';
import { fitLines } from './fit-lines.js';
import { escapeMrkdwn, link, LIMITS, truncate } from './mrkdwn.js';
import { formatTime, threadUrl } from './slack-time.js';
import { STATE_LABELS } from './state-labels.js';
import type { InstanceReport } from './digest-data.js';
import {
  type HomeSpend,
  instancesSection,
  latestThreadsSection,
  type QueueLine,
  queuesSection,
  type RunInFlight,
  runsInFlightSection,
  spendSection,
} from './home-sections.js';

export interface HomeSummary {
  counts: Partial<Record<PaperState, number>>;
  /** Papers waiting for a person (AWAITING_HUMAN), newest first. */
  awaiting: readonly Paper[];
  channel: string;
  generatedAt: string;
  timeZone: string;
  /** The dashboard (issue 7): each part is shown when given. */
  runsInFlight?: readonly RunInFlight[];
  latestThreads?: readonly Paper[];
  spend?: HomeSpend;
  queues?: readonly QueueLine[];
  instances?: InstanceReport;
}

function dashboardBlocks(summary: HomeSummary): KnownBlock[] {
  const now = new Date(summary.generatedAt);
  const blocks: KnownBlock[] = [];
  if (summary.runsInFlight) blocks.push(runsInFlightSection(summary.runsInFlight, now));
  if (summary.latestThreads) blocks.push(latestThreadsSection(summary.latestThreads));
  if (summary.spend) blocks.push(spendSection(summary.spend));
  if (summary.queues) blocks.push(queuesSection(summary.queues));
  if (summary.instances) blocks.push(instancesSection(summary.instances, now));
  return blocks;
}

function countLines(counts: HomeSummary['counts']): string {
  const lines = PAPER_STATES.filter((state) => (counts[state] ?? 0) > 0).map(
    (state) => `\`${String(counts[state]).padStart(5)}\` ${STATE_LABELS[state]}`,
  );
  return lines.length > 0
    ? lines.join('\n')
    : '_No papers yet. Try `/scrape arxiv` or `/paper run <arXiv id>`._';
}

function awaitingLine(paper: Paper): string {
  const title = escapeMrkdwn(truncate(paper.title, 120));
  const where = paper.thread ? link(threadUrl(paper.thread), 'thread') : `\`/paper status ${paper.id}\``;
  return `• *${title}*: ${STATE_LABELS[paper.state]} (${where})`;
}

/**
 * The App Home tab: which papers wait for a person, then (when given) runs in flight, the latest threads,
 * today's spend against the budget, queue depths and instance states, then how many papers are where. Every
 * part is one block, far inside the 100 a Home tab holds (slack.md §4).
 */
export function homeView(summary: HomeSummary): HomeView {
  const awaiting =
    summary.awaiting.length > 0
      ? fitLines(summary.awaiting.map(awaitingLine), LIMITS.sectionText, (n) => `_…and ${n} more_`)
      : '_Nothing is waiting for a person._';
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Sherpa', emoji: false } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Papers from OpenReview, arXiv and MLSys, judged and run on Trainium. Threads go to <#${summary.channel}>.`,
        },
      },
      { type: 'divider' },
      { type: 'section', text: { type: 'mrkdwn', text: `*Waiting for you*\n${awaiting}` } },
      ...dashboardBlocks(summary),
      { type: 'section', text: { type: 'mrkdwn', text: `*Pipeline*\n${countLines(summary.counts)}` } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `Updated ${formatTime(summary.generatedAt, summary.timeZone)} (${summary.timeZone}) · \`/paper help\` · \`/scrape help\``,
          },
        ],
      },
    ],
  };
}
