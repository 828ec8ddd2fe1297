import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeStepMessage, type CodeStepInput } from '../../src/messages/code-step.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import type { ActionsBlock, Button, KnownBlock } from '../../src/domain/block-kit.js';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';

// Issue 12, item 5: the Run button follows the code version's backend, and Port offers the other one.
const CODE = readFileSync(new URL('../fixtures/codegen/good-train-cuda.py', import.meta.url), 'utf8');
const HASH = 'b'.repeat(64);
const PAPER = 'p_0123456789ab';

function input(backend: 'neuron' | 'cuda' | undefined, backends?: Array<'neuron' | 'cuda'>): CodeStepInput {
  return {
    paperId: PAPER,
    paperTitle: 'Gated attention for efficient training',
    code: CODE,
    requestedBy: 'U0APPROVER1',
    modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    runBudgetMinutes: 10,
    runTarget: backends ? { kind: 'ec2', backends } : { kind: 'ec2' },
    version: {
      hash: HASH,
      blobKey: `code/${HASH}.py`,
      version: 3,
      plan: '• Idea: gate attention output.',
      checks: [{ name: 'Python syntax', passed: true }],
      reason: 'First version',
      usedPdf: true,
      createdAt: '2026-11-23T10:00:00.000Z',
      ...(backend ? { backend } : {}),
    },
  };
}

function buttons(blocks: KnownBlock[]): Button[] {
  const actions = blocks.find((block): block is ActionsBlock => block.type === 'actions');
  return (actions?.elements ?? []) as Button[];
}

const byAction = (blocks: KnownBlock[], id: string) => buttons(blocks).find((b) => b.action_id === id);

describe('code step with both backends configured', () => {
  it('offers Run on Trainium and Port to GPU on a neuron version (snapshot)', () => {
    const message = codeStepMessage(input('neuron', ['cuda', 'neuron']));
    expect(buttons(message.blocks).map((b) => b.text.text)).toEqual([
      'Run on Trainium',
      'Port to GPU',
      'Regenerate with feedback',
      'Reject',
    ]);
    const run = byAction(message.blocks, ACTION_IDS.runCode);
    expect(run?.value).toBe(`${PAPER}:${HASH}:neuron`);
    expect(run?.confirm?.text.text).toContain('on a trn1 instance');
    expect(byAction(message.blocks, ACTION_IDS.portCode)?.value).toBe(`${PAPER}:${HASH}:cuda`);
    expect(buttons(message.blocks)).toMatchSnapshot();
    expectWithinBlockKitLimits(message.blocks);
  });

  it('offers Run on GPU and Port to Trainium on a cuda version (snapshot)', () => {
    const message = codeStepMessage(input('cuda', ['cuda', 'neuron']));
    expect(buttons(message.blocks).map((b) => b.text.text)).toEqual([
      'Run on GPU',
      'Port to Trainium',
      'Regenerate with feedback',
      'Reject',
    ]);
    const run = byAction(message.blocks, ACTION_IDS.runCode);
    expect(run?.value).toBe(`${PAPER}:${HASH}:cuda`);
    expect(run?.confirm?.text.text).toContain('on a GPU instance');
    expect(run?.confirm?.text.text).not.toContain('trn1');
    expect(byAction(message.blocks, ACTION_IDS.portCode)?.value).toBe(`${PAPER}:${HASH}:neuron`);
    expect(buttons(message.blocks)).toMatchSnapshot();
  });

  it('treats a version stored before backends existed as neuron', () => {
    const message = codeStepMessage(input(undefined, ['cuda', 'neuron']));
    expect(byAction(message.blocks, ACTION_IDS.runCode)?.value).toBe(`${PAPER}:${HASH}:neuron`);
    expect(byAction(message.blocks, ACTION_IDS.portCode)?.text.text).toBe('Port to GPU');
  });
});

describe('code step with one backend configured', () => {
  it('keeps the Trainium step as it was: no Port, the value bound to the hash alone', () => {
    for (const backends of [undefined, ['neuron' as const]]) {
      const message = codeStepMessage(input('neuron', backends));
      expect(buttons(message.blocks).map((b) => b.action_id)).toEqual([
        ACTION_IDS.runCode,
        ACTION_IDS.regenerateCode,
        ACTION_IDS.rejectCode,
      ]);
      expect(byAction(message.blocks, ACTION_IDS.runCode)?.value).toBe(`${PAPER}:${HASH}`);
    }
  });

  it('runs a cuda version on a GPU-only deployment, with no Port', () => {
    const message = codeStepMessage(input('cuda', ['cuda']));
    expect(buttons(message.blocks).map((b) => b.text.text)).toEqual([
      'Run on GPU',
      'Regenerate with feedback',
      'Reject',
    ]);
  });

  it('says runs on GPU are off for a cuda version where only Trainium is configured, with no Run button', () => {
    const message = codeStepMessage(input('cuda', ['neuron']));
    expect(byAction(message.blocks, ACTION_IDS.runCode)).toBeUndefined();
    expect(byAction(message.blocks, ACTION_IDS.portCode)?.text.text).toBe('Port to Trainium');
    expect(JSON.stringify(message.blocks)).toContain('Runs on GPU are off here');
  });

  it('says runs on Trainium are off for a neuron version on a GPU-only deployment', () => {
    const message = codeStepMessage(input('neuron', ['cuda']));
    expect(byAction(message.blocks, ACTION_IDS.runCode)).toBeUndefined();
    expect(JSON.stringify(message.blocks)).toContain('Runs on Trainium are off here');
  });
});
