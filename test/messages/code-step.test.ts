import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  codeFileTitle,
  codeStepMessage,
  RUNS_OFF_TEXT,
  type CodeStepInput,
} from '../../src/messages/code-step.js';
import { codegenFailedMessage, codegenStartedMessage } from '../../src/messages/codegen-status.js';
import { regenerateModal, rejectModal } from '../../src/messages/decision-modals.js';
import { ACTION_IDS, VIEW_IDS } from '../../src/messages/action-ids.js';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';

const CODE = readFileSync(new URL('../fixtures/codegen/good-train.py', import.meta.url), 'utf8');
const HASH = 'a'.repeat(64);

function input(overrides: Partial<CodeStepInput> = {}): CodeStepInput {
  return {
    paperId: 'p_0123456789ab',
    paperTitle: 'Gated attention for efficient training',
    code: CODE,
    requestedBy: 'U0APPROVER1',
    modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    runBudgetMinutes: 10,
    runTarget: { kind: 'ec2' },
    version: {
      hash: HASH,
      blobKey: `code/${HASH}.py`,
      version: 2,
      plan: '• Idea: gate attention output with a sigmoid.\n• Experiment: TinyLM, 200 steps.\n• Data: synthetic tokens.\n• Metrics: loss, perplexity, tokens/s.',
      checks: [
        { name: 'Python syntax', passed: true },
        { name: 'METRICS line per step', passed: true },
      ],
      reason: 'Use a deeper model & report perplexity',
      usedPdf: true,
      createdAt: '2026-11-23T10:00:00.000Z',
    },
    ...overrides,
  };
}

describe('codeStepMessage', () => {
  it('shows plan, checks, the first lines and the three buttons (snapshot)', () => {
    const message = codeStepMessage(input());
    expect(message).toMatchSnapshot();
    expectWithinBlockKitLimits(message.blocks);
  });

  it('binds Run and Reject to the exact code hash; Regenerate carries only the paper id', () => {
    const actions = codeStepMessage(input()).blocks.find((block) => block.type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        { action_id: ACTION_IDS.runCode, value: `p_0123456789ab:${HASH}` },
        { action_id: ACTION_IDS.regenerateCode, value: 'p_0123456789ab' },
        { action_id: ACTION_IDS.rejectCode, value: `p_0123456789ab:${HASH}` },
      ],
    });
  });

  it('with no compute (COMPUTE=none) shows no Run button and says how to turn runs on (snapshot)', () => {
    const message = codeStepMessage(input({ runTarget: { kind: 'none' } }));
    expect(message).toMatchSnapshot();
    expectWithinBlockKitLimits(message.blocks);
    const text = JSON.stringify(message.blocks);
    expect(text).not.toContain(ACTION_IDS.runCode);
    expect(text).not.toContain('runs on a trn1');
    expect(text).toContain(JSON.stringify(RUNS_OFF_TEXT).slice(1, -1));
    expect(text).toContain('COMPUTE=ec2');
    expect(text).toContain('COMPUTE=local');
    const actions = message.blocks.find((block) => block.type === 'actions');
    expect(actions).toMatchObject({
      elements: [{ action_id: ACTION_IDS.regenerateCode }, { action_id: ACTION_IDS.rejectCode }],
    });
  });

  it('promises a trn1 only when runs go to EC2; a local runner is named as this host', () => {
    const confirmOf = (message: ReturnType<typeof codeStepMessage>) =>
      JSON.stringify(message.blocks.find((block) => block.type === 'actions'));
    expect(confirmOf(codeStepMessage(input()))).toContain('runs on a trn1 instance');
    const local = confirmOf(codeStepMessage(input({ runTarget: { kind: 'local', backend: 'cpu' } })));
    expect(local).toContain("runs on this host's CPU (local runner)");
    expect(local).not.toContain('trn1');
    expect(local).not.toContain(RUNS_OFF_TEXT.slice(0, 20));
  });

  it('says the PDF was used, or warns when the code is based on the abstract only', () => {
    expect(JSON.stringify(codeStepMessage(input()).blocks)).toContain("Written from the paper's PDF");
    const abstractOnly = codeStepMessage(
      input({ version: { ...input().version, usedPdf: false }, pdfWarning: 'No PDF link is known.' }),
    );
    expect(JSON.stringify(abstractOnly.blocks)).not.toContain("Written from the paper's PDF");
  });

  it('warns when the code is based on the abstract only', () => {
    const message = codeStepMessage(
      input({
        pdfWarning: 'The PDF could not be fetched (HTTP 404); this code is based on the abstract only.',
      }),
    );
    expect(JSON.stringify(message.blocks)).toContain('⚠️ The PDF could not be fetched (HTTP 404)');
  });

  it('escapes code in the preview and stays within limits for a huge script', () => {
    const huge = Array.from({ length: 5000 }, (_, i) => `x_${i} = "<tag> & ${'y'.repeat(80)}"`).join('\n');
    const message = codeStepMessage(input({ code: huge }));
    expectWithinBlockKitLimits(message.blocks);
    expect(JSON.stringify(message.blocks)).toContain('&lt;tag&gt; &amp;');
    expect(JSON.stringify(message.blocks)).toContain('more lines in train.py');
  });

  it('drops the buttons once decided', () => {
    const message = codeStepMessage(
      input({
        decision: {
          paperId: 'p_0123456789ab',
          at: '2026-11-23T11:00:00.000Z',
          actor: 'U0APPROVER2',
          from: 'code_ready',
          to: 'code_requested',
          note: 'smaller batch',
        },
      }),
    );
    expect(message.blocks.some((block) => block.type === 'actions')).toBe(false);
    expect(JSON.stringify(message.blocks.at(-1))).toContain('<@U0APPROVER2> asked for code');
  });
});

describe('code generation status messages', () => {
  it('announces the start and reports a failure with Retry (snapshot)', () => {
    expect(
      codegenStartedMessage({ requestedBy: 'U0APPROVER1', modelId: 'm', feedback: 'more layers' }),
    ).toMatchSnapshot();
    const failed = codegenFailedMessage({ paperId: 'p_0123456789ab', reason: 'The reply was cut off.' });
    expect(failed).toMatchSnapshot();
    expectWithinBlockKitLimits(failed.blocks);
  });
});

describe('decision modals', () => {
  const metadata = { paperId: 'p_0123456789ab', channel: 'C0CHANNEL1', messageTs: '1.2', threadTs: '1.1' };

  it('builds the reject modals with an optional reason and the ids in private_metadata', () => {
    const paper = rejectModal({ kind: 'paper', title: 'A paper', metadata });
    expect(paper).toMatchSnapshot();
    expect(paper.callback_id).toBe(VIEW_IDS.rejectReason);
    expect(JSON.parse(paper.private_metadata ?? '')).toEqual(metadata);
    expect(rejectModal({ kind: 'code', title: 'A paper', metadata }).callback_id).toBe(
      VIEW_IDS.rejectCodeReason,
    );
  });

  it('builds the regenerate modal with a required feedback field', () => {
    const modal = regenerateModal({
      title: 'A paper',
      version: 1,
      metadata: { ...metadata, codeHash: HASH },
    });
    expect(modal.callback_id).toBe(VIEW_IDS.regenerateFeedback);
    expect(modal.blocks.find((block) => block.type === 'input')).not.toHaveProperty('optional');
    expect(JSON.stringify(modal.blocks)).toContain('writes v2');
  });
});

describe('codeFileTitle', () => {
  it('names the version and the short hash of the uploaded train.py', () => {
    expect(codeFileTitle({ version: 2, hash: 'b'.repeat(64) })).toBe(`train.py · v2 · ${'b'.repeat(12)}`);
  });
});
