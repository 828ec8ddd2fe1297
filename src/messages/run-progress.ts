import type { KnownBlock } from '../domain/block-kit.js';
import type { MessageContent } from './message-content.js';
import { LIMITS, escapeMrkdwn, truncate } from './mrkdwn.js';
import { formatDuration } from './format-units.js';

/** Where a run is, as the one progress message in the thread shows it (updated in place). */
export type RunStage =
  | { stage: 'queued'; position?: number }
  | { stage: 'waiting_for_instance'; backend?: string; position?: number }
  | { stage: 'starting_instance'; instanceId: string; detail: string }
  | { stage: 'capacity_retry'; instanceId: string; attempt: number; retryInSeconds: number }
  | { stage: 'waiting_for_agent'; instanceId: string; elapsedSeconds: number }
  | { stage: 'running'; instanceId: string; elapsedSeconds: number; lastLogLine?: string; phase?: string }
  | { stage: 'finished'; status: 'succeeded' | 'failed'; durationSeconds?: number };

export interface RunProgressView {
  runId: string;
  codeHash: string;
  requestedBy: string;
  stage: RunStage;
  /** The pool and market the run is placed on (issue 12). */
  placement?: { pool: string; market: string };
  /** Earlier events the message keeps telling: capacity fall-throughs, interruptions, resumes. */
  story?: string[];
}

const STEPS = ['queued', 'starting instance', 'waiting for SSM', 'running', 'done'] as const;

function stepIndex(stage: RunStage): number {
  switch (stage.stage) {
    case 'queued':
    case 'waiting_for_instance':
      return 0;
    case 'starting_instance':
    case 'capacity_retry':
      return 1;
    case 'waiting_for_agent':
      return 2;
    case 'running':
      return 3;
    case 'finished':
      return 4;
  }
}

/** `✅ queued → ✅ starting instance → ⏳ waiting for SSM → ▫️ running → ▫️ done` */
function stepLine(stage: RunStage): string {
  const current = stepIndex(stage);
  const failed = stage.stage === 'finished' && stage.status === 'failed';
  return STEPS.map((name, index) => {
    if (index < current) return `✅ ${name}`;
    if (index === current)
      return stage.stage === 'finished' ? `${failed ? '❌' : '✅'} ${name}` : `⏳ *${name}*`;
    return `▫️ ${name}`;
  }).join('  →  ');
}

function detailLine(stage: RunStage): string {
  switch (stage.stage) {
    case 'queued':
      return stage.position ? `Queued, position ${stage.position}.` : 'Queued.';
    case 'waiting_for_instance': {
      const where = stage.backend ? ` of the ${stage.backend === 'cuda' ? 'GPU' : 'Trainium'} pools` : '';
      const position = stage.position ? ` Queue position ${stage.position}.` : '';
      return `Every instance${where} is busy or at its pool's limit; this run starts when one is free.${position}`;
    }
    case 'starting_instance':
      return `\`${stage.instanceId}\`: ${escapeMrkdwn(stage.detail)}`;
    case 'capacity_retry':
      return (
        `\`${stage.instanceId}\`: AWS has no trn1 capacity in this Availability Zone right now ` +
        `(attempt ${stage.attempt}); trying again in ${formatDuration(stage.retryInSeconds)}.`
      );
    case 'waiting_for_agent':
      return `\`${stage.instanceId}\` is running; waiting for its SSM agent to come online (${formatDuration(stage.elapsedSeconds)} so far).`;
    case 'running': {
      const phase = stage.phase && stage.phase !== 'running' ? ` (${escapeMrkdwn(stage.phase)})` : '';
      const log = stage.lastLogLine
        ? `\nLast log line: \`${escapeMrkdwn(truncate(stage.lastLogLine.replace(/`/g, "'"), 300))}\``
        : '';
      return `Running on \`${stage.instanceId}\` for ${formatDuration(stage.elapsedSeconds)}${phase}.${log}`;
    }
    case 'finished': {
      const took = stage.durationSeconds !== undefined ? ` in ${formatDuration(stage.durationSeconds)}` : '';
      return stage.status === 'succeeded'
        ? `Finished${took}; results below.`
        : `Failed${took}; details below.`;
    }
  }
}

export function runProgressMessage(view: RunProgressView): MessageContent {
  const placement = view.placement
    ? ` · pool \`${escapeMrkdwn(view.placement.pool)}\` (${view.placement.market})`
    : '';
  const head = `*Trainium run* \`${view.runId}\` · code \`${view.codeHash.slice(0, 12)}\` · approved by <@${view.requestedBy}>${placement}`;
  // The story (bot-written lines, pool names from the config) comes first, the current stage last.
  const story = (view.story ?? []).slice(-6).join('\n');
  const detail = story ? `${story}\n${detailLine(view.stage)}` : detailLine(view.stage);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`${head}\n${detail}`, LIMITS.sectionText) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: stepLine(view.stage) }] },
  ];
  return { text: truncate(`Trainium run ${view.runId}: ${detail}`, LIMITS.messageText), blocks };
}
