import type { Paper } from '../domain/paper.js';
import type { WaitingPaper } from '../domain/waiting-paper.js';
import { escapeMrkdwn, link, truncate } from './mrkdwn.js';
import { feasibilityMark, venueLine } from './paper-facts.js';
import { formatDuration, formatMetric, formatTokens, formatUsd } from './format-units.js';
import { threadUrl } from './slack-time.js';
import { STATE_LABELS } from './state-labels.js';
import type { FinishedRun, SourceActivity, SpendPeriod } from './digest-data.js';
import { modelLabel } from './model-label.js';

/** One line each, in mrkdwn, for the digest's lists. Pure; the message builder decides what fits. */

const SOURCE_NAMES: Record<string, string> = {
  openreview: 'OpenReview',
  arxiv: 'arXiv',
  mlsys: 'MLSys',
  manual: 'Added by hand',
};

export function sourceName(source: string): string {
  return SOURCE_NAMES[source] ?? source;
}

export function sourceLine(activity: SourceActivity): string {
  const judged =
    activity.judged > 0 ? `${activity.judged} judged (${activity.accepted} accepted)` : '0 judged';
  return `• *${escapeMrkdwn(sourceName(activity.source))}*: ${activity.scraped} scraped · ${judged} · ${activity.filtered} filtered`;
}

/** The best link for a paper outside Slack: its forum, else arXiv, else the PDF. */
export function paperUrl(paper: Pick<Paper, 'forumUrl' | 'arxivId' | 'pdfUrl'>): string | undefined {
  return paper.forumUrl ?? (paper.arxivId ? `https://arxiv.org/abs/${paper.arxivId}` : paper.pdfUrl);
}

function titled(title: string, url: string | undefined, max = 120): string {
  const short = truncate(title, max);
  return url ? link(url, short) : escapeMrkdwn(short);
}

export function candidateText(paper: Paper): string {
  const verdict = paper.verdict;
  const scores = [
    verdict?.relevance !== undefined ? `relevance ${verdict.relevance}/10` : undefined,
    verdict?.novelty !== undefined ? `novelty ${verdict.novelty}/10` : undefined,
    verdict?.feasibility ? `Trainium ${feasibilityMark(verdict.feasibility.verdict)}` : undefined,
  ].filter(Boolean);
  const facts = [escapeMrkdwn(venueLine(paper)), ...scores].join(' · ');
  return `*${titled(paper.title, paperUrl(paper), 150)}*\n${facts}`;
}

export function waitingLine(paper: WaitingPaper): string {
  const where = paper.thread
    ? link(threadUrl(paper.thread), truncate(paper.title, 100))
    : escapeMrkdwn(truncate(paper.title, 100));
  return `• ${where}: ${STATE_LABELS[paper.state]}`;
}

export function runLine({ paper, run }: FinishedRun): string {
  const title = paper.thread
    ? link(threadUrl(paper.thread), truncate(paper.title, 90))
    : escapeMrkdwn(truncate(paper.title, 90));
  const took =
    run.startedAt && run.finishedAt
      ? ` · ${formatDuration((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000)}`
      : '';
  if (run.status === 'succeeded') {
    const metric = run.headline
      ? `${escapeMrkdwn(run.headline.name)} ${formatMetric(run.headline.value)}`
      : 'no headline metric';
    return `• ✅ ${title}: ${metric}${took}`;
  }
  const why = run.failureClass ? ` (${escapeMrkdwn(run.failureClass.replace(/_/g, ' '))})` : '';
  return `• ❌ ${title}: failed${why}${took}`;
}

function hours(seconds: number): string {
  return `${(seconds / 3600).toFixed(seconds >= 36_000 ? 0 : 1)} h`;
}

/** A spend period as lines: models with their tokens, instances with their hours, each with its cost. */
export function spendLines(period: SpendPeriod): string[] {
  const lines = period.models.map(
    (model) =>
      `${escapeMrkdwn(modelLabel(model.resource))}: ${formatTokens(model.inputTokens)} in · ${formatTokens(model.outputTokens)} out · ${formatUsd(model.usd)}`,
  );
  for (const instance of period.instances) {
    lines.push(
      `\`${escapeMrkdwn(instance.resource)}\`: ${hours(instance.seconds)} · ${formatUsd(instance.usd)}`,
    );
  }
  if (lines.length === 0) lines.push('_Nothing spent._');
  return lines;
}

export function budgetLine(spentUsd: number, budgetUsd: number): string {
  if (budgetUsd <= 0) return `${formatUsd(spentUsd)} (no daily budget set)`;
  const percent = Math.round((spentUsd / budgetUsd) * 100);
  const over = spentUsd > budgetUsd ? ' · *over budget*' : '';
  return `${formatUsd(spentUsd)} of ${formatUsd(budgetUsd)} daily budget (${percent} %)${over}`;
}
