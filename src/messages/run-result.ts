import type { ActionsBlock, Button, KnownBlock, SectionBlock } from '../domain/block-kit.js';
import type { ExecutionInfo, RunnerResult } from '../domain/runner-contract.js';
import { executionLines } from './execution-info.js';
import { ACTION_IDS } from './action-ids.js';
import type { MessageContent } from './message-content.js';
import { LIMITS, escapeMrkdwn, link, truncate } from './mrkdwn.js';
import { metricsTable } from './run-metrics-table.js';
import { profileBlocks } from './run-profile.js';
import { formatDuration, formatTokens, formatUsd } from './format-units.js';

export interface RunCost {
  instanceSeconds: number;
  instanceUsd: number;
  hourlyPriceUsd: number;
  /** Every Claude call made for this paper so far (judge, code, fixes). */
  tokenUsd: number;
  inputTokens: number;
  outputTokens: number;
}

export interface ArtifactLink {
  name: string;
  uri: string;
  /** A browsable link (S3 console) when there is one; local files show their path. */
  url?: string;
}

export interface RunFailureView {
  /** A runner failure class (`compiler_error`, `timeout`, …) or the bot's own (`instance_unavailable`). */
  class: string;
  message: string;
  code?: string;
  logLines: string[];
  /**
   * Sherpa's own failure (the runner, the instance, containment), not the code's (issue 10, found item 11):
   * Claude is not offered it to fix.
   */
  infrastructure?: boolean;
}

export interface RunResultView {
  paperId: string;
  runId: string;
  codeHash: string;
  status: 'succeeded' | 'failed';
  durationSeconds?: number;
  backend?: string;
  metrics?: RunnerResult['metrics']['summary'];
  profile?: RunnerResult['profile'];
  /** What the run ran on and how fast (issue 12, item 6); absent for results from before it. */
  execution?: ExecutionInfo;
  failure?: RunFailureView;
  cost: RunCost;
  artifacts: ArtifactLink[];
  fixRoundsLeft: number;
}

export const RUN_RESULT_BLOCK_IDS = { actions: 'run_actions', decision: 'run_decision' } as const;

const FAILURE_TITLES: Record<string, string> = {
  compiler_error: 'Neuron compiler error',
  neuroncore_unavailable: 'NeuronCore unavailable',
  out_of_memory: 'out of memory',
  timeout: 'timed out',
  python_exception: 'Python exception',
  nonzero_exit: 'non-zero exit',
  fetch_failed: 'could not fetch the job or code',
  runner_error: 'runner error',
  instance_unavailable: 'instance unavailable',
  containment_failed: 'containment not confirmed',
};

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } };
}

function headline(view: RunResultView): string {
  const took = view.durationSeconds !== undefined ? ` in ${formatDuration(view.durationSeconds)}` : '';
  const on = view.backend ? ` (${view.backend})` : '';
  if (view.status === 'succeeded') return `✅ *Run succeeded*${took}${on} · \`${view.runId}\``;
  const failure = view.failure;
  const title = failure
    ? (FAILURE_TITLES[failure.class] ?? escapeMrkdwn(failure.class.replace(/_/g, ' ')))
    : 'failed';
  const code = failure?.code ? ` (${escapeMrkdwn(failure.code)})` : '';
  return `❌ *Run failed: ${title}${code}*${took}${on} · \`${view.runId}\``;
}

/** The last relevant log lines in a code block, trimmed from the top to fit a section. */
function logBlock(lines: readonly string[]): SectionBlock | undefined {
  if (lines.length === 0) return undefined;
  const budget = LIMITS.sectionText - 40;
  const kept: string[] = [];
  let size = 0;
  for (const line of [...lines].reverse()) {
    // The run's own output: hostile code can print `<!channel>` as easily as a loss value.
    const clean = escapeMrkdwn(truncate(line.replace(/```/g, "'''"), 300));
    if (size + clean.length + 1 > budget) break;
    kept.unshift(clean);
    size += clean.length + 1;
  }
  return section(`*Last ${kept.length} log lines*\n\`\`\`\n${kept.join('\n')}\n\`\`\``);
}

function costLine(cost: RunCost): string {
  const instance = `instance ${formatDuration(cost.instanceSeconds)} × $${cost.hourlyPriceUsd.toFixed(2)}/h = ${formatUsd(cost.instanceUsd)}`;
  const tokens = `Claude for this paper ${formatUsd(cost.tokenUsd)} (${formatTokens(cost.inputTokens)} in / ${formatTokens(cost.outputTokens)} out)`;
  return `💰 ${instance} · ${tokens} · total ${formatUsd(cost.instanceUsd + cost.tokenUsd)}`;
}

function artifactLine(artifacts: readonly ArtifactLink[]): string | undefined {
  if (artifacts.length === 0) return undefined;
  const shown = artifacts
    .slice(0, 8)
    .map((artifact) =>
      artifact.url ? link(artifact.url, artifact.name) : `\`${escapeMrkdwn(artifact.uri)}\``,
    );
  const more = artifacts.length > 8 ? ` and ${artifacts.length - 8} more` : '';
  return `📁 ${shown.join(' · ')}${more}`;
}

function actions(view: RunResultView): ActionsBlock {
  const elements: Button[] = [];
  if (view.status === 'failed' && view.fixRoundsLeft > 0 && !view.failure?.infrastructure) {
    elements.push({
      type: 'button',
      action_id: ACTION_IDS.fixRun,
      text: { type: 'plain_text', text: 'Ask Claude to fix' },
      style: 'primary',
      value: `${view.paperId}:${view.runId}`,
    });
  }
  elements.push({
    type: 'button',
    action_id: ACTION_IDS.rerun,
    text: { type: 'plain_text', text: 'Re-run' },
    value: `${view.paperId}:${view.codeHash}`,
    confirm: {
      title: { type: 'plain_text', text: 'Run it again?' },
      text: { type: 'plain_text', text: 'The same code runs again on Trainium (instance time is billed).' },
      confirm: { type: 'plain_text', text: 'Re-run' },
      deny: { type: 'plain_text', text: 'Cancel' },
    },
  });
  if (view.status === 'succeeded') {
    // Plans a variant search from this run's code (issue 13); nothing runs before an approver confirms the plan.
    elements.push({
      type: 'button',
      action_id: ACTION_IDS.evolveStart,
      text: { type: 'plain_text', text: 'Evolve…' },
      value: `${view.paperId}:${view.codeHash}`,
    });
  }
  return { type: 'actions', block_id: RUN_RESULT_BLOCK_IDS.actions, elements };
}

/** The final message of a run: outcome, metrics, profile, cost, artifacts, and what to do next. */
export function runResultMessage(view: RunResultView): MessageContent {
  const blocks: KnownBlock[] = [section(headline(view))];
  if (view.failure) {
    blocks.push(section(`*What happened:* ${escapeMrkdwn(truncate(view.failure.message, 1200))}`));
    const log = logBlock(view.failure.logLines);
    if (log) blocks.push(log);
  }
  const table = view.metrics ? metricsTable(view.metrics) : undefined;
  if (table) blocks.push(section(`*Metrics*\n${table}`));
  else if (view.status === 'succeeded') blocks.push(section('_The code printed no `METRICS:` lines._'));
  if (view.profile) blocks.push(...profileBlocks(view.profile));
  const execution = executionLines(view.execution);
  if (execution.length > 0) blocks.push(section(execution.join('\n')));
  const context = [costLine(view.cost), artifactLine(view.artifacts)].filter(
    (line): line is string => !!line,
  );
  blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn' as const, text })) });
  if (view.failure?.infrastructure) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'This is a failure of Sherpa’s own infrastructure, not of the code, so Claude is not asked to fix it. Re-run once it is fixed.',
        },
      ],
    });
  } else if (view.status === 'failed' && view.fixRoundsLeft <= 0) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'No fix rounds left for this paper (MAX_FIX_ROUNDS).' }],
    });
  }
  blocks.push(actions(view));
  const outcome =
    view.status === 'succeeded' ? 'succeeded' : `failed (${escapeMrkdwn(view.failure?.class ?? 'unknown')})`;
  return { text: `Trainium run ${view.runId} ${outcome}`, blocks };
}

/**
 * The result when Slack refused the full message (too long, a block it would not take): the outcome in one
 * line, and where the details are. Carries the same metadata, so the run is still seen as reported.
 */
export function runResultPlainMessage(
  view: Pick<RunResultView, 'runId' | 'status'> & { failure?: Pick<RunFailureView, 'class'> },
): { text: string } {
  const outcome =
    view.status === 'succeeded'
      ? `✅ Run \`${view.runId}\` succeeded.`
      : `❌ Run \`${view.runId}\` failed (${view.failure?.class ?? 'unknown'}).`;
  return {
    text: `${outcome} Slack refused the full result message; the details are in the bot log and the run's artifacts.`,
  };
}

/** The loss curve uploaded beside a run's result: its file name and the text a screen reader says. */
export function lossCurveFile(
  runId: string,
  title: string,
): { filename: string; title: string; altText: string } {
  return { filename: `loss-${runId}.png`, title, altText: `${title} for run ${runId}` };
}
