import type { ActionsBlock, Button, KnownBlock } from '../domain/block-kit.js';
import { codeBackendOf, type CodeVersion } from '../domain/code-version.js';
import type { AuditEntry } from '../domain/paper.js';
import { actorMention } from './describe-decision.js';
import { ACTION_IDS } from './action-ids.js';
import { decisionLine } from './decision-line.js';
import type { MessageContent } from './message-content.js';
import { LIMITS, escapeMrkdwn, truncate } from './mrkdwn.js';

export const CODE_STEP_BLOCK_IDS = { actions: 'code_actions', decision: 'code_decision' } as const;

/** Lines of the script shown inline; the whole file is uploaded as `train.py` beside the message. */
export const PREVIEW_LINES = 15;
const PLAN_LINES = 6;

/**
 * Where an approved run would go, so the step promises only what this deployment can do: with no compute the
 * Run button is not shown at all, and the confirmation names the machine the code will really run on.
 */
export type RunTarget =
  | { kind: 'none' }
  /** `backends`: those the configured pools offer; absent means the trn1 pool alone, as before pools. */
  | { kind: 'ec2'; backends?: readonly CodeBackend[] }
  | { kind: 'local'; backend: 'neuron' | 'cuda' | 'cpu' };

export type CodeBackend = 'neuron' | 'cuda';

const HARDWARE: Record<CodeBackend, string> = { neuron: 'Trainium', cuda: 'GPU' };

/** What an `ec2` step offers for a version: run it, port it, or neither, by the backends configured. */
function ec2Offer(target: { backends?: readonly CodeBackend[] }, version: Pick<CodeVersion, 'backend'>) {
  const backends = target.backends ?? ['neuron'];
  const backend = codeBackendOf(version);
  const other: CodeBackend = backend === 'neuron' ? 'cuda' : 'neuron';
  return {
    backend,
    runnable: backends.includes(backend),
    // Bound to the backend only when both are configured: with one, the value stays as it always was.
    bindBackend: backends.includes(other),
    portTo: backends.includes(other) ? other : undefined,
  };
}

/** Said instead of a Run button when the version's backend has no pool here. */
export function runsOffForBackend(backend: CodeBackend): string {
  return (
    `⏸️ Runs on ${HARDWARE[backend]} are off here: no \`${backend}\` pool is configured in \`compute.pools\`. ` +
    'You can still regenerate or reject this code.'
  );
}

/** What the step says instead of a Run button when `COMPUTE=none` (the default). */
export const RUNS_OFF_TEXT =
  '⏸️ Runs are off here: no compute is configured (`COMPUTE=none`). To run approved code, set ' +
  '`COMPUTE=ec2` with `TRAINIUM_INSTANCE_IDS` (the trn1 instances from infra/) or `COMPUTE=local` on a host ' +
  'with the runner, and restart Sherpa. You can still regenerate or reject this code.';

export interface CodeStepInput {
  paperId: string;
  paperTitle: string;
  version: CodeVersion;
  code: string;
  requestedBy: string;
  modelId: string;
  runBudgetMinutes: number;
  runTarget: RunTarget;
  /** Why the PDF was not used, when the code is based on the abstract alone. */
  pdfWarning?: string;
  /** Set once a human decided on this version: its buttons go. */
  decision?: AuditEntry;
}

export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

/** The title of `train.py` as uploaded beside the code step: which version, which hash. */
export function codeFileTitle(version: Pick<CodeVersion, 'version' | 'hash'>): string {
  return `train.py · v${version.version} · ${shortHash(version.hash)}`;
}

function codePreview(code: string): string {
  const lines = code.split('\n');
  const shown = lines.slice(0, PREVIEW_LINES).join('\n');
  const more =
    lines.length > PREVIEW_LINES ? `\n# … ${lines.length - PREVIEW_LINES} more lines in train.py` : '';
  // Escaped inside the fence too: Slack parses &, < and > everywhere in mrkdwn.
  return '```' + truncate(escapeMrkdwn(shown + more), LIMITS.sectionText - 8) + '```';
}

function checkLine(checks: CodeVersion['checks']): string {
  return checks.map((check) => `${check.passed ? '✅' : '❌'} ${escapeMrkdwn(check.name)}`).join('\n');
}

/** Where the confirmation says the code runs: only what the configured compute really does. */
function runsOn(target: Exclude<RunTarget, { kind: 'none' }>, backend: CodeBackend): string {
  if (target.kind === 'ec2') return backend === 'cuda' ? 'on a GPU instance' : 'on a trn1 instance';
  return target.backend === 'neuron'
    ? "on this host's Trainium (local runner)"
    : `on this host's ${target.backend === 'cuda' ? 'GPU' : 'CPU'} (local runner)`;
}

function runButton(input: CodeStepInput, target: Exclude<RunTarget, { kind: 'none' }>): Button {
  const { version } = input;
  const offer = target.kind === 'ec2' ? ec2Offer(target, version) : undefined;
  const backend = codeBackendOf(version);
  return {
    type: 'button',
    action_id: ACTION_IDS.runCode,
    text: { type: 'plain_text', text: offer ? `Run on ${HARDWARE[backend]}` : 'Run' },
    style: 'primary',
    // The approval binds to this exact code (a new version needs its own click) and, with both backends
    // configured, to the hardware named on the button.
    value: `${input.paperId}:${version.hash}${offer?.bindBackend ? `:${backend}` : ''}`,
    confirm: {
      title: { type: 'plain_text', text: `Run code v${version.version}?` },
      text: {
        type: 'plain_text',
        text: truncate(
          `train.py ${shortHash(version.hash)} runs ${runsOn(target, backend)} for at most ${input.runBudgetMinutes} minutes of training, billed to today's budget.`,
          LIMITS.confirmText,
        ),
      },
      confirm: { type: 'plain_text', text: 'Run' },
      deny: { type: 'plain_text', text: 'Cancel' },
    },
  };
}

/** **Port to GPU** / **Port to Trainium**: a version of the same paper for the other configured backend. */
function portButton(input: CodeStepInput, to: CodeBackend): Button {
  return {
    type: 'button',
    action_id: ACTION_IDS.portCode,
    text: { type: 'plain_text', text: `Port to ${HARDWARE[to]}` },
    value: `${input.paperId}:${input.version.hash}:${to}`,
  };
}

function actions(input: CodeStepInput): ActionsBlock {
  const { paperId, version, runTarget } = input;
  const bound = `${paperId}:${version.hash}`;
  const offer = runTarget.kind === 'ec2' ? ec2Offer(runTarget, version) : undefined;
  const runTo = runTarget.kind !== 'none' && (offer?.runnable ?? true) ? runTarget : undefined;
  return {
    type: 'actions',
    block_id: CODE_STEP_BLOCK_IDS.actions,
    elements: [
      ...(runTo ? [runButton(input, runTo)] : []),
      ...(offer?.portTo ? [portButton(input, offer.portTo)] : []),
      {
        type: 'button',
        action_id: ACTION_IDS.regenerateCode,
        text: { type: 'plain_text', text: 'Regenerate with feedback' },
        value: paperId,
      },
      {
        type: 'button',
        action_id: ACTION_IDS.rejectCode,
        text: { type: 'plain_text', text: 'Reject' },
        style: 'danger',
        value: bound,
        confirm: {
          title: { type: 'plain_text', text: 'Reject this code?' },
          text: { type: 'plain_text', text: 'You can give a reason in the next step. Nothing will run.' },
          confirm: { type: 'plain_text', text: 'Reject' },
          deny: { type: 'plain_text', text: 'Cancel' },
          style: 'danger',
        },
      },
    ],
  };
}

/**
 * The code step in a paper's thread: the plan in a few lines, the checks, the first lines of `train.py`, and
 * the run gate bound to the code hash shown. Pure.
 */
export function codeStepMessage(input: CodeStepInput): MessageContent {
  const { version } = input;
  const reason = version.reason ? ` — ${escapeMrkdwn(truncate(version.reason, 300))}` : '';
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(
          `*🧪 Code v${version.version}* · \`train.py\` · sha256 \`${shortHash(version.hash)}\`\n` +
            `Requested by ${actorMention(input.requestedBy)}${reason}`,
          LIMITS.sectionText,
        ),
      },
    },
  ];
  if (input.pdfWarning) {
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: truncate(`⚠️ ${escapeMrkdwn(input.pdfWarning)}`, LIMITS.fieldText) },
      ],
    });
  } else if (version.usedPdf) {
    // Said outright, so a reader knows Claude read the whole paper and not only its abstract.
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: "📄 Written from the paper's PDF, not only its abstract." }],
    });
  }
  const plan = version.plan.split('\n').filter(Boolean).slice(0, PLAN_LINES).join('\n');
  blocks.push(
    {
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`*Plan*\n${escapeMrkdwn(plan)}`, LIMITS.sectionText) },
    },
    { type: 'section', text: { type: 'mrkdwn', text: `*Checks*\n${checkLine(version.checks)}` } },
    { type: 'section', text: { type: 'mrkdwn', text: codePreview(input.code) } },
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `Written by \`${escapeMrkdwn(input.modelId)}\` · \`${input.paperId}\`` },
      ],
    },
  );
  if (input.decision) {
    blocks.push(decisionLine(input.decision, CODE_STEP_BLOCK_IDS.decision));
  } else {
    if (input.runTarget.kind === 'none') {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: RUNS_OFF_TEXT } });
    } else if (input.runTarget.kind === 'ec2' && !ec2Offer(input.runTarget, version).runnable) {
      const text = runsOffForBackend(codeBackendOf(version));
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
    }
    blocks.push(actions(input));
  }
  return {
    text: truncate(
      `Code v${version.version} for “${escapeMrkdwn(input.paperTitle)}” is ready for a run approval`,
      LIMITS.messageText,
    ),
    blocks,
  };
}
