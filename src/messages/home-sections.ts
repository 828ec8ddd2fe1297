import type { SectionBlock } from '../domain/block-kit.js';
import type { InstanceReport } from './digest-data.js';
import { budgetLine } from './digest-lines.js';
import { instanceLines } from './instance-lines.js';
import type { Paper } from '../domain/paper.js';
import type { RunRecord } from '../domain/run-record.js';
import { fitLines } from './fit-lines.js';
import { escapeMrkdwn, link, truncate } from './mrkdwn.js';
import { formatDuration, formatUsd } from './format-units.js';
import { threadUrl } from './slack-time.js';
import { STATE_LABELS } from './state-labels.js';

/** The dashboard parts of the Home tab (issue 7). Each is one section; lists are cut by whole lines. */

/** A queue's depth as the work-queue port reports it. */
export interface QueueDepth {
  visible: number;
  inFlight: number;
  deadLettered: number;
}

export interface QueueLine {
  /** The work-queue port's `QueueName`; one without a label below is shown by its name. */
  name: string;
  /** Undefined when the queue could not be asked (SQS unreachable). */
  depth: QueueDepth | undefined;
}

export interface RunInFlight {
  paper: Paper;
  run: RunRecord | undefined;
}

export interface HomeSpend {
  todayUsd: number;
  monthUsd: number;
  dailyBudgetUsd: number;
}

const LIST_CHARS = 1500;
const MORE = (n: number) => `_…and ${n} more_`;

function section(title: string, lines: readonly string[], empty: string): SectionBlock {
  const body = lines.length > 0 ? fitLines(lines, LIST_CHARS, MORE) : empty;
  return { type: 'section', text: { type: 'mrkdwn', text: `*${title}*\n${body}` } };
}

function titleLink(paper: Paper, max = 90): string {
  return paper.thread
    ? link(threadUrl(paper.thread), truncate(paper.title, max))
    : escapeMrkdwn(truncate(paper.title, max));
}

const QUEUE_NAMES: Record<string, string> = {
  judge: 'Judge',
  codegen: 'Code generation',
  run: 'Runs',
  evolve: 'Evolve searches',
};

export function queuesSection(queues: readonly QueueLine[]): SectionBlock {
  const lines = queues.map(({ name, depth }) => {
    if (!depth) return `• ${QUEUE_NAMES[name] ?? name}: _could not be read_`;
    const dead = depth.deadLettered > 0 ? ` · ⚠️ ${depth.deadLettered} dead-lettered` : '';
    return `• ${QUEUE_NAMES[name] ?? name}: ${depth.visible} waiting · ${depth.inFlight} in progress${dead}`;
  });
  return section('Queues', lines, '_No queues._');
}

export function instancesSection(report: InstanceReport, now: Date): SectionBlock {
  return section('Instances', instanceLines(report, now), '_No instances._');
}

/** Elapsed time counts from the run's start, or from its queueing while it waits for an instance. */
export function runsInFlightSection(runs: readonly RunInFlight[], now: Date): SectionBlock {
  const lines = runs.map(({ paper, run }) => {
    const since = run?.startedAt ?? run?.queuedAt;
    const elapsed = since ? ` · ${formatDuration((now.getTime() - Date.parse(since)) / 1000)}` : '';
    const where = run?.instanceId ? ` on \`${escapeMrkdwn(run.instanceId)}\`` : '';
    return `• ${titleLink(paper)}: ${paper.state}${where}${elapsed}`;
  });
  return section('Runs in flight', lines, '_No runs in flight._');
}

export function spendSection(spend: HomeSpend): SectionBlock {
  const text = `*Spend today*\n${budgetLine(spend.todayUsd, spend.dailyBudgetUsd)}\nThis month: ${formatUsd(spend.monthUsd)}`;
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

export function latestThreadsSection(papers: readonly Paper[]): SectionBlock {
  const lines = papers.map((paper) => `• ${titleLink(paper, 100)}: ${STATE_LABELS[paper.state]}`);
  return section('Latest threads', lines, '_No threads yet._');
}
