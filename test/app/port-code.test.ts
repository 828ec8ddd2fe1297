import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postThreads } from '../../jobs/post-threads.js';
import { codeHashOf } from '../../src/codegen/store-code-version.js';
import type { Paper } from '../../src/domain/paper.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import {
  startFakeBedrock,
  toolUse,
  type FakeBedrock,
  type RecordedConverse,
} from '../support/fake-bedrock.js';
import { useFakeBedrockEnv } from '../support/fake-bedrock-llm.js';
import { codegenResponder, GOOD_SCRIPT } from '../support/fake-codegen-replies.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';
import { ingestAccepted } from '../support/sample-papers.js';
import type { FakeMessage } from '../support/slack-fake/index.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';

/**
 * **Port to GPU**, end to end through the Slack fake (issue 12, item 5): with a Trainium pool and a GPU pool
 * configured, the first code version (neuron) offers Run on Trainium and Port to GPU; the Port click asks Claude
 * (the Bedrock fake) again with the CUDA prompt, and the CUDA script arrives as a new code step whose Run on GPU
 * is bound to its hash and backend. A run click bound to the wrong backend is refused and runs nothing.
 */
const CUDA_SCRIPT = await readFile(
  new URL('../fixtures/codegen/good-train-cuda.py', import.meta.url),
  'utf8',
);
const SAVED_ENV = [
  'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
];

let sherpa: SherpaHarness;
let bedrock: FakeBedrock;
let dir: string;
let saved: Record<string, string | undefined>;

beforeEach(async () => {
  saved = Object.fromEntries(SAVED_ENV.map((key) => [key, process.env[key]]));
  bedrock = await startFakeBedrock();
  // Claude writes for whichever hardware its system prompt names, as the real model is asked to.
  const base = codegenResponder();
  bedrock.respondWith((request: RecordedConverse) => {
    if (request.toolName !== 'record_script') return base(request);
    const cuda = JSON.stringify(request.body.system ?? []).includes('GPU RULES');
    return toolUse({ code: cuda ? CUDA_SCRIPT : GOOD_SCRIPT, notes: '' });
  });
  useFakeBedrockEnv(bedrock);
  dir = await mkdtemp(join(tmpdir(), 'sherpa-port-'));
  const config = join(dir, 'sherpa.yaml');
  await writeFile(
    config,
    [
      'compute:',
      '  pools:',
      '    - { name: trn1, instanceType: trn1.2xlarge, backend: neuron, mode: fixed, instanceIds: [i-0aaaaaaaaaaaaaaa1], market: on-demand }',
      '    - { name: gpu, instanceType: g5.xlarge, backend: cuda, mode: fixed, instanceIds: [i-0bbbbbbbbbbbbbbb2], market: on-demand }',
    ].join('\n'),
  );
  sherpa = await startSherpa({
    env: {
      COMPUTE: 'ec2',
      SHERPA_CONFIG: config,
      TRAINIUM_RUNNER_ROLE_ID: 'AROAEXAMPLE1234567890',
      S3_BUCKET: 'sherpa-test-results',
      AWS_REGION: 'us-east-1',
      DAILY_BUDGET_USD: '5',
    },
    // No S3 here: the code versions live in memory; nothing in this test reaches EC2 or SSM.
    decorateDeps: (deps) => ({ ...deps, blobs: new MemoryBlobStore() }),
  });
});
afterEach(async () => {
  await sherpa.stop();
  await bedrock.close();
  await rm(dir, { recursive: true, force: true });
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function until<T>(what: string, probe: () => T | undefined | false, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Element {
  action_id?: string;
  value?: string;
  text?: { text?: string };
  confirm?: { text?: { text?: string } };
}
const buttonsOf = (message: FakeMessage | undefined): Element[] =>
  ((message?.blocks ?? []) as Array<{ type: string; elements?: Element[] }>)
    .filter((block) => block.type === 'actions')
    .flatMap((block) => block.elements ?? []);
const textOf = (message: FakeMessage | undefined) =>
  JSON.stringify(message?.blocks ?? []) + (message?.text ?? '');

describe('Port to GPU with a Trainium and a GPU pool (issue 12, item 5)', () => {
  it('offers Run on Trainium and Port to GPU, and the port arrives as a cuda code step bound to its backend', async () => {
    const { fake, deps } = sherpa;
    const accepted = await ingestAccepted(deps.papers, 0, {}, new Date().toISOString());
    expect((await postThreads(deps)).opened).toEqual([accepted.id]);
    const paper = (await deps.papers.get(accepted.id)) as Paper;
    const threadTs = paper.thread?.ts as string;
    const inThread = (needle: string) => () =>
      fake.messages({ threadTs }).find((message) => textOf(message).includes(needle));
    const click = async (actionId: string, value: string, message: FakeMessage) =>
      fake.waitForAck((await fake.clickButton({ actionId, value, user: TEST_APPROVER, message })).envelopeId);

    const root = fake.messages().find((message) => message.ts === threadTs) as FakeMessage;
    await click(ACTION_IDS.generateCode, paper.id, root);
    const v1 = await until('code step v1', inThread('Code v1*'));
    const neuronHash = codeHashOf(GOOD_SCRIPT);
    expect(buttonsOf(v1).map((button) => button.text?.text)).toEqual([
      'Run on Trainium',
      'Port to GPU',
      'Regenerate with feedback',
      'Reject',
    ]);
    expect(buttonsOf(v1)[0]?.value).toBe(`${paper.id}:${neuronHash}:neuron`);
    const port = buttonsOf(v1).find((button) => button.action_id === ACTION_IDS.portCode);
    expect(port?.value).toBe(`${paper.id}:${neuronHash}:cuda`);

    // The click: Claude is asked again with the GPU prompt; the CUDA script arrives as v2.
    await click(ACTION_IDS.portCode, port?.value as string, v1);
    const v2 = await until('code step v2', inThread('Code v2*'));
    const cudaHash = codeHashOf(CUDA_SCRIPT);
    const stored = await deps.papers.get(paper.id);
    expect(stored).toMatchObject({ state: 'code_ready', currentCodeHash: cudaHash });
    expect(stored?.codeVersions.map((version) => version.backend ?? 'neuron')).toEqual(['neuron', 'cuda']);
    expect(stored?.codeVersions[1]?.checks.every((check) => check.passed)).toBe(true);
    const systems = bedrock.requests
      .filter((request) => request.toolName === 'record_script')
      .map((request) => JSON.stringify(request.body.system ?? []));
    expect(systems.map((system) => system.includes('GPU RULES'))).toEqual([false, true]);

    const run = buttonsOf(v2)[0];
    expect(buttonsOf(v2).map((button) => button.text?.text)).toEqual([
      'Run on GPU',
      'Port to Trainium',
      'Regenerate with feedback',
      'Reject',
    ]);
    expect(run?.action_id).toBe(ACTION_IDS.runCode);
    expect(run?.value).toBe(`${paper.id}:${cudaHash}:cuda`);
    expect(run?.confirm?.text?.text).toContain('on a GPU instance');
    // v1's buttons are gone: its port was decided.
    expect(buttonsOf(fake.messages().find((message) => message.ts === v1.ts))).toEqual([]);

    // A run click bound to Trainium on the CUDA version is refused, ephemerally, and nothing runs.
    await click(ACTION_IDS.runCode, `${paper.id}:${cudaHash}:neuron`, v2);
    const refusal = await fake.waitForCall('chat.postEphemeral', (call) =>
      String(call.args.text).includes('written for GPU'),
    );
    expect(refusal.args.user).toBe(TEST_APPROVER);
    expect((await deps.papers.get(paper.id))?.state).toBe('code_ready');
    expect((await deps.papers.get(paper.id))?.runs ?? []).toEqual([]);
    expect(fake.unexpectedCalls()).toEqual([]);
  }, 60_000);

  it('keeps the target backend through a budget hold: the override posts the cuda version', async () => {
    const { fake, deps } = sherpa;
    const accepted = await ingestAccepted(deps.papers, 1, {}, new Date().toISOString());
    await postThreads(deps);
    const paper = (await deps.papers.get(accepted.id)) as Paper;
    const threadTs = paper.thread?.ts as string;
    const inThread = (needle: string) => () =>
      fake.messages({ threadTs }).find((message) => textOf(message).includes(needle));
    const click = async (actionId: string, value: string, message: FakeMessage) =>
      fake.waitForAck((await fake.clickButton({ actionId, value, user: TEST_APPROVER, message })).envelopeId);
    const root = fake.messages().find((message) => message.ts === threadTs) as FakeMessage;
    await click(ACTION_IDS.generateCode, paper.id, root);
    const v1 = await until('code step v1', inThread('Code v1*'));

    // Today's spend now leaves no room for another generation: the port is held, then overridden.
    await deps.ledger.record({
      at: deps.clock.now().toISOString(),
      kind: 'instance',
      resource: 'i-0aaaaaaaaaaaaaaa1',
      purpose: 'run',
      seconds: 3600,
      usd: 4.9,
    });
    await click(ACTION_IDS.portCode, `${paper.id}:${codeHashOf(GOOD_SCRIPT)}:cuda`, v1);
    const held = await until('the hold', inThread('Code generation held'));
    expect((await deps.papers.get(paper.id))?.state).toBe('code_ready');
    await click(ACTION_IDS.overrideCodegenBudget, paper.id, held);
    const v2 = await until('code step v2', inThread('Code v2*'));
    expect(buttonsOf(v2)[0]?.value).toBe(`${paper.id}:${codeHashOf(CUDA_SCRIPT)}:cuda`);
    expect((await deps.papers.get(paper.id))?.codeVersions.map((v) => v.backend ?? 'neuron')).toEqual([
      'neuron',
      'cuda',
    ]);
  }, 60_000);
});
