import type { KnownBlock } from '../domain/block-kit.js';
import type { AuditEntry, Paper } from '../domain/paper.js';
import type { MessageContent } from './message-content.js';
import { escapeMrkdwn, LIMITS, truncate } from './mrkdwn.js';
import { fitLines } from './fit-lines.js';
import { paperLinks, venueLine } from './paper-facts.js';
import { executionSummary } from './execution-info.js';
import { formatDuration, formatMetric } from './format-units.js';
import { actorLabel, formatTime, threadUrl } from './slack-time.js';
import { STATE_LABELS, stateBadge } from './state-labels.js';

/** The newest audit entries are the interesting ones; a long life is summarised. */
const HISTORY_SHOWN = 12;

function historyLines(audit: readonly AuditEntry[], timeZone: string): string {
  if (audit.length === 0) return '_No transitions recorded yet._';
  const shown = audit.slice(-HISTORY_SHOWN);
  const lines = shown.map((entry) => {
    const note = entry.note ? ` — ${escapeMrkdwn(truncate(entry.note, 200))}` : '';
    const hash = entry.artifactHash ? ` (code \`${entry.artifactHash.slice(0, 12)}\`)` : '';
    return `\`${formatTime(entry.at, timeZone)}\` ${entry.from} → *${entry.to}* by ${actorLabel(entry.actor)}${hash}${note}`;
  });
  const skipped = audit.length - shown.length;
  if (skipped > 0) lines.unshift(`_${skipped} earlier transition${skipped === 1 ? '' : 's'} not shown_`);
  return fitLines(lines, LIMITS.sectionText - 20, (n) => `_…${n} more_`);
}

/** The code version the next run binds to, and how many versions there were. */
function codeLine(paper: Paper): string | undefined {
  const current = paper.codeVersions.find((version) => version.hash === paper.currentCodeHash);
  if (!current) return undefined;
  const of = paper.codeVersions.length > 1 ? ` (of ${paper.codeVersions.length} versions)` : '';
  return `*Code:* v${current.version} \`${current.hash.slice(0, 12)}\`${of}`;
}

const RUNS_SHOWN = 3;

/** The latest runs: outcome, headline metric, duration and which code they ran. */
function runsLine(paper: Paper): string | undefined {
  if (paper.runs.length === 0) return undefined;
  const lines = paper.runs.slice(-RUNS_SHOWN).map((run) => {
    const mark = run.status === 'succeeded' ? '✅' : run.status === 'failed' ? '❌' : '⏳';
    const metric = run.headline
      ? ` · ${escapeMrkdwn(run.headline.name)} ${formatMetric(run.headline.value)}`
      : '';
    const took =
      run.startedAt && run.finishedAt
        ? ` · ${formatDuration((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000)}`
        : '';
    const failure = run.failureClass ? ` (${escapeMrkdwn(run.failureClass.replace(/_/g, ' '))})` : '';
    const ran = executionSummary(run.execution);
    return `${mark} ${run.status}${failure}${metric}${took}${ran ? ` · ${ran}` : ''} · code \`${run.codeHash.slice(0, 12)}\``;
  });
  const earlier = paper.runs.length - RUNS_SHOWN;
  return `*Runs:*${earlier > 0 ? ` (${earlier} earlier not shown)` : ''}\n${lines.join('\n')}`;
}

function verdictLine(paper: Paper): string | undefined {
  const verdict = paper.verdict;
  if (!verdict) return undefined;
  const scores =
    verdict.relevance !== undefined
      ? `relevance ${verdict.relevance}/10, novelty ${verdict.novelty ?? '?'}/10`
      : `pre-filter score ${verdict.prefilterScore.toFixed(2)}`;
  return `*Judge:* ${scores} — ${escapeMrkdwn(truncate(verdict.rationale, 600))}`;
}

/** `/paper status` answer: state, what it means, links, the judge's view and the audit trail. */
export function paperStatusMessage(
  paper: Paper,
  audit: readonly AuditEntry[],
  timeZone: string,
): MessageContent {
  const facts = [
    `${stateBadge(paper.state)} ${STATE_LABELS[paper.state]}`,
    `*Venue:* ${escapeMrkdwn(venueLine(paper))}   *Id:* \`${paper.id}\``,
    `*Links:* ${paperLinks(paper)}${paper.thread ? ` · <${threadUrl(paper.thread)}|Slack thread>` : ''}`,
  ];
  const verdict = verdictLine(paper);
  if (verdict) facts.push(verdict);
  for (const line of [codeLine(paper), runsLine(paper)]) if (line) facts.push(line);
  if (paper.lastNote) facts.push(`*Last note:* ${escapeMrkdwn(truncate(paper.lastNote, 500))}`);
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(paper.title, LIMITS.headerText), emoji: false },
    },
    { type: 'section', text: { type: 'mrkdwn', text: fitLines(facts, LIMITS.sectionText, () => '…') } },
    { type: 'section', text: { type: 'mrkdwn', text: `*History*\n${historyLines(audit, timeZone)}` } },
  ];
  return {
    text: `${escapeMrkdwn(truncate(paper.title, 200))}: ${paper.state} (${STATE_LABELS[paper.state]})`,
    blocks,
  };
}
