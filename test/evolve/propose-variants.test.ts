import { readFileSync } from 'node:fs';
import { createPatch } from 'diff';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCodeChecks } from '../../src/codegen/checks/run-code-checks.js';
import type { CodeCheckReport } from '../../src/codegen/checks/run-code-checks.js';
import { PROPOSE_PURPOSE } from '../../src/evolve/cost-estimate.js';
import { proposeVariants, type ProposeDeps } from '../../src/evolve/propose-variants.js';
import { createLogger } from '../../src/logging/logger.js';
import {
  startFakeBedrock,
  toolUse,
  type FakeBedrock,
  type RecordedConverse,
} from '../support/fake-bedrock.js';
import { createFakeBedrockLlm } from '../support/fake-bedrock-llm.js';
import { GOOD_SCRIPT, userMessageOf } from '../support/fake-codegen-replies.js';
import { RecordingLedger } from '../support/recording-ledger.js';
import { searchFixture } from './search-fixture.js';

const GOOD_CUDA = readFileSync(new URL('../fixtures/codegen/good-train-cuda.py', import.meta.url), 'utf8');
const diffTo = (code: string) => createPatch('train.py', GOOD_SCRIPT, code, '', '');
const LR = 'lr=3e-4';
const variantsOf = {
  conservative: diffTo(GOOD_SCRIPT.replace(LR, 'lr=2.4e-4')),
  moderate: diffTo(GOOD_SCRIPT.replace('256, 8, 200', '256, 16, 200')),
  aggressive: diffTo(GOOD_SCRIPT.replace('128, 1024, 256', '64, 1024, 512')),
};
const LABELS = ['conservative', 'moderate', 'aggressive'] as const;

let bedrock: FakeBedrock;
let replies: ((request: RecordedConverse) => ReturnType<typeof toolUse>)[];
beforeEach(async () => {
  replies = [];
  bedrock = await startFakeBedrock();
  bedrock.respondWith((request) => {
    const next = replies.shift();
    if (!next) throw new Error('unexpected model call');
    return next(request);
  });
});
afterEach(async () => {
  expect(replies).toEqual([]);
  bedrock.assertDone();
  await bedrock.close();
});

const passAll = async (): Promise<CodeCheckReport> => ({
  passed: true,
  checks: [{ name: 'stand-in', passed: true }],
  findings: [],
});

function deps(check: ProposeDeps['check'] = passAll) {
  const ledger = new RecordingLedger();
  const { llm } = createFakeBedrockLlm(bedrock, { ledger });
  return {
    ledger,
    deps: {
      llm,
      modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      systemFor: (backend: 'neuron' | 'cuda') => `stable prefix for ${backend}`,
      check,
      logger: createLogger({ level: 'silent' }),
    },
  };
}

const context = {
  paperId: 'p_1',
  search: searchFixture(),
  parentCode: GOOD_SCRIPT,
  labels: LABELS,
  leaderboard: '- g1 moderate: batch 16 → val_loss=1.9',
  profile: ['Neuron profile of the parent:', '- MFU: 11.0 %'],
  bestTwo: [],
};

/** The real checks, with what the proposal passes (the search's target and objective). */
const realChecks = (code: string, options: { backend: 'neuron' | 'cuda'; objectiveMetric: string }) =>
  runCodeChecks(code, { allowedHosts: [], ...options });

const reply = (variants: { label: string; strategy: string; diff: string }[]) => () =>
  toolUse({ variants }, { inputTokens: 6000, outputTokens: 2000 });

describe('proposing a generation', () => {
  it('makes one call carrying the parent, the leaderboard and the profile, and applies every diff', async () => {
    const { deps: d, ledger } = deps();
    replies.push(
      reply(LABELS.map((label) => ({ label, strategy: `${label} change`, diff: variantsOf[label] }))),
    );
    const outcome = await proposeVariants(d, context);
    expect(outcome.calls).toBe(1);
    expect(outcome.variants.map((v) => [v.label, v.repaired, v.dropReason])).toEqual([
      ['conservative', false, undefined],
      ['moderate', false, undefined],
      ['aggressive', false, undefined],
    ]);
    expect(outcome.variants[0]?.code).toBe(GOOD_SCRIPT.replace(LR, 'lr=2.4e-4'));
    const sent = userMessageOf(bedrock.requests[0]).text;
    expect(sent).toContain('lr=3e-4');
    expect(sent).toContain('batch 16 → val_loss=1.9');
    expect(sent).toContain('MFU: 11.0 %');
    expect(sent).toContain('in this order: conservative, moderate, aggressive');
    expect(ledger.recorded.map((entry) => entry.purpose)).toEqual([PROPOSE_PURPOSE]);
  });

  it('repairs a diff that does not apply once, in the same conversation, and keeps it', async () => {
    const { deps: d } = deps();
    const broken = variantsOf.moderate.replace('SEQ_LEN, VOCAB', 'SEQ, VOCAB');
    replies.push(
      reply([
        { label: 'conservative', strategy: 'lr down', diff: variantsOf.conservative },
        { label: 'moderate', strategy: 'batch up', diff: broken },
        { label: 'aggressive', strategy: 'wider', diff: variantsOf.aggressive },
      ]),
      (request) => {
        expect(request.toolName).toBe('record_repairs');
        const text = JSON.stringify(request.body.messages.at(-1));
        expect(text).toMatch(/variant 1 \(moderate: batch up\): the diff does not apply/);
        return toolUse({ repairs: [{ index: 1, diff: variantsOf.moderate }] });
      },
    );
    const outcome = await proposeVariants(d, context);
    expect(outcome.calls).toBe(2);
    expect(outcome.variants[1]).toMatchObject({
      repaired: true,
      code: GOOD_SCRIPT.replace('256, 8, 200', '256, 16, 200'),
    });
    expect(outcome.variants.every((v) => v.dropReason === undefined)).toBe(true);
  });

  it('drops a variant that still fails the real checks after its repair, with the reason', async () => {
    const { deps: d } = deps(realChecks);
    const cuda = diffTo(GOOD_SCRIPT.replace('TinyLM().to(device)', 'TinyLM().cuda()'));
    const noObjective = diffTo(GOOD_SCRIPT.replace('"perplexity": ', '"ppl": '));
    replies.push(
      reply([
        { label: 'conservative', strategy: 'lr down', diff: variantsOf.conservative },
        { label: 'moderate', strategy: 'use the GPU', diff: cuda },
        { label: 'aggressive', strategy: 'rename', diff: noObjective },
      ]),
      () =>
        toolUse({
          repairs: [
            { index: 1, diff: cuda },
            { index: 2, diff: variantsOf.aggressive },
          ],
        }),
    );
    const outcome = await proposeVariants(d, {
      ...context,
      search: searchFixture({
        settings: { ...searchFixture().settings, objective: { metric: 'perplexity', direction: 'min' } },
      }),
    });
    expect(outcome.calls).toBe(2);
    expect(outcome.variants[0]?.dropReason).toBeUndefined();
    expect(outcome.variants[1]?.dropReason).toMatch(/fails the checks: No CUDA .*\(after one repair\)/);
    expect(outcome.variants[2]?.dropReason).toBeUndefined();
    expect(outcome.variants[2]?.repaired).toBe(true);
  }, 60_000);

  it("checks a CUDA search's variants against CUDA, with the CUDA system prompt, not against Neuron", async () => {
    const checked: string[] = [];
    const { deps: d } = deps((code, options) => {
      checked.push(options.backend);
      return realChecks(code, options);
    });
    const cudaDiff = (code: string) => createPatch('train.py', GOOD_CUDA, code, '', '');
    const xla = GOOD_CUDA.replace('import torch\n', 'import torch\nimport torch_xla.core.xla_model as xm\n');
    replies.push(
      reply([
        { label: 'conservative', strategy: 'lr down', diff: cudaDiff(GOOD_CUDA.replace(LR, 'lr=2.4e-4')) },
        { label: 'moderate', strategy: 'use XLA', diff: cudaDiff(xla) },
        { label: 'aggressive', strategy: 'lr up', diff: cudaDiff(GOOD_CUDA.replace(LR, 'lr=6e-4')) },
      ]),
      () => toolUse({ repairs: [] }),
    );
    const settings = searchFixture().settings;
    const outcome = await proposeVariants(d, {
      ...context,
      parentCode: GOOD_CUDA,
      profile: ['PyTorch profile on NVIDIA H100, top operators by self time:'],
      search: searchFixture({
        settings: { ...settings, target: 'cuda', objective: { metric: 'perplexity', direction: 'min' } },
      }),
    });
    expect(new Set(checked)).toEqual(new Set(['cuda']));
    // The same CUDA script would fail Neuron's rules: passing here shows it was held to CUDA's.
    expect((await realChecks(GOOD_CUDA, { backend: 'neuron', objectiveMetric: 'perplexity' })).passed).toBe(
      false,
    );
    expect(outcome.variants[0]?.dropReason).toBeUndefined();
    expect(outcome.variants[0]?.code).toBe(GOOD_CUDA.replace(LR, 'lr=2.4e-4'));
    expect(outcome.variants[1]?.dropReason).toMatch(/fails the checks: .*no repair was offered/);
    expect(outcome.variants[2]?.dropReason).toBeUndefined();
    expect(JSON.stringify(bedrock.requests[0]?.body.system)).toContain('stable prefix for cuda');
    expect(userMessageOf(bedrock.requests[0]).text).toContain('runs on an NVIDIA GPU through CUDA');
  }, 60_000);

  it('asks the model again (adapter repair) when the labels are not the mix asked for', async () => {
    const { deps: d } = deps();
    const wrong = LABELS.map((label) => ({ label: 'moderate', strategy: label, diff: variantsOf[label] }));
    replies.push(
      reply(wrong),
      reply(LABELS.map((label) => ({ label, strategy: label, diff: variantsOf[label] }))),
    );
    const outcome = await proposeVariants(d, context);
    expect(outcome.calls).toBe(2);
    expect(outcome.variants.map((v) => v.label)).toEqual([...LABELS]);
  });
});
