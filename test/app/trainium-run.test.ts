import { chmod, rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Paper } from '../../src/domain/paper.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { codeStepMessage } from '../../src/messages/code-step.js';
import { NEURON_STANDIN_TRAINING, writeFakeNeuronProfile } from '../support/fake-neuron-tools.js';
import { seedCodeReadyPaper } from '../support/run-fixtures.js';
import { openTempDir } from '../runner/runner-cli.js';
import type { FakeMessage } from '../support/slack-fake/index.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';

/**
 * End to end through the Slack fake with the local compute adapter: the approver clicks Run on Trainium on a
 * code step; the thread shows "queued", the progress message moves, and the final message carries the
 * metrics and the Neuron profile (from a fake neuron-profile on PATH), with the loss curve uploaded.
 */
const RUNNER_ENV = ['PATH', 'SHERPA_SANDBOX_USER', 'SHERPA_PYTHON', 'SHERPA_PROGRESS_INTERVAL_SECONDS'];

let sherpa: SherpaHarness | undefined;
let tools: string;
let saved: Record<string, string | undefined>;

beforeEach(async () => {
  saved = Object.fromEntries(RUNNER_ENV.map((key) => [key, process.env[key]]));
  tools = await openTempDir();
  const bin = await writeFakeNeuronProfile(tools);
  // What the runner finds on this "host": the fake profiler first on PATH; code run as `nobody` (never as
  // root) with an interpreter that user can reach; progress every 0.2 s instead of 30 s.
  Object.assign(process.env, {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    ...(process.getuid?.() === 0 ? { SHERPA_SANDBOX_USER: 'nobody', SHERPA_PYTHON: '/usr/bin/python3' } : {}),
    SHERPA_PROGRESS_INTERVAL_SECONDS: '0.2',
  });
});

afterEach(async () => {
  await sherpa?.stop();
  sherpa = undefined;
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await rm(tools, { recursive: true, force: true });
});

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function paperWithCodeStep(
  harness: SherpaHarness,
  env: { code: string },
): Promise<{ paper: Paper; codeStep: FakeMessage }> {
  const { deps, fake } = harness;
  const root = await deps.chat.post({
    channel: harness.config.slack.channel,
    text: 'A paper thread',
  });
  const paper = await seedCodeReadyPaper(deps, 0, {
    code: env.code,
    thread: { channel: harness.config.slack.channel, ts: root.ts as string },
  });
  const version = paper.codeVersions[0];
  if (!version) throw new Error('no code version');
  const step = codeStepMessage({
    paperId: paper.id,
    paperTitle: paper.title,
    version,
    code: env.code,
    requestedBy: TEST_APPROVER,
    modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    runBudgetMinutes: 10,
    runTarget: { kind: 'local', backend: 'neuron' },
  });
  const posted = await deps.chat.post({
    channel: harness.config.slack.channel,
    thread_ts: root.ts as string,
    ...step,
  });
  const codeStep = fake.messages({ threadTs: root.ts as string }).find((message) => message.ts === posted.ts);
  if (!codeStep) throw new Error('code step not recorded by the fake');
  return { paper, codeStep };
}

const textOf = (message: FakeMessage) => JSON.stringify(message.blocks ?? []) + (message.text ?? '');

describe('Run on Trainium, end to end (COMPUTE=local)', () => {
  it('queues the approved code, shows progress, and posts metrics, the Neuron profile and the loss curve', async () => {
    sherpa = await startSherpa({
      env: { COMPUTE: 'local', RUNNER_BACKEND: 'neuron', RUN_TIMEOUT_MINUTES: '2' },
    });
    // The code runs as an unprivileged user, which must be able to reach its working folder under DATA_DIR.
    await chmod(sherpa.dataDir, 0o755);
    const { fake, deps } = sherpa;
    const { paper, codeStep } = await paperWithCodeStep(sherpa, { code: NEURON_STANDIN_TRAINING });
    const threadTs = paper.thread?.ts as string;

    const click = await fake.clickButton({
      actionId: ACTION_IDS.runCode,
      value: `${paper.id}:${paper.currentCodeHash}`,
      user: TEST_APPROVER,
      message: codeStep,
    });
    const ack = await fake.waitForAck(click.envelopeId);
    expect(ack.latencyMs).toBeLessThan(3000);

    // The progress message is edited in place and the worker may move past "queued" before the test looks, so
    // read what was first posted rather than what the message says now.
    const firstPost = await until('the progress message', () =>
      fake
        .calls('chat.postMessage')
        .find(
          (call) => call.args.thread_ts === threadTs && JSON.stringify(call.args).includes('Trainium run'),
        ),
    );
    expect(JSON.stringify(firstPost.args)).toMatch(/Queued, position 1/);
    const progress = { ts: String(firstPost.response.ts) };

    const final = await until('the result message', () =>
      fake.messages({ threadTs }).find((message) => textOf(message).includes('Run succeeded')),
    );
    const text = textOf(final);
    expect(text).toContain('loss ↓');
    expect(text).toMatch(/2\.29 +1\.54 +1\.54/);
    expect(text).toContain('Neuron profile');
    expect(text).toContain('Vector engine*\\n96.5 %');
    expect(text).toContain('HBM read*\\n6.13 GiB');
    expect(text).toContain(ACTION_IDS.rerun);

    // The progress message was updated in place to its last state, and the code step lost its Run button.
    const updates = fake.calls('chat.update').filter((call) => call.args.ts === progress.ts);
    expect(updates.length).toBeGreaterThanOrEqual(2);
    const lastProgress = fake
      .messages({ threadTs })
      .find((message) => message.ts === progress.ts) as FakeMessage;
    expect(textOf(lastProgress)).toContain('✅ done');
    const step = fake.messages({ threadTs }).find((message) => message.ts === codeStep.ts) as FakeMessage;
    expect(textOf(step)).not.toContain(ACTION_IDS.runCode);
    expect(textOf(step)).toContain('approved the run');

    const upload = await until('the loss curve upload', () =>
      fake.uploads().find((file) => file.filename.startsWith('loss-') && file.completed),
    );
    expect(
      Buffer.from(upload.bytes ?? [])
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const completed = fake.calls('files.completeUploadExternal').at(-1);
    expect(completed?.args.thread_ts).toBe(threadTs);

    expect((await deps.papers.get(paper.id))?.state).toBe('succeeded');
    expect(fake.unexpectedCalls()).toEqual([]);
  });

  it('refuses a click from someone who is not an approver, ephemerally, and changes nothing', async () => {
    sherpa = await startSherpa({ env: { COMPUTE: 'local' } });
    const { fake, deps } = sherpa;
    const { paper, codeStep } = await paperWithCodeStep(sherpa, { code: NEURON_STANDIN_TRAINING });
    await fake.clickButton({
      actionId: ACTION_IDS.runCode,
      value: `${paper.id}:${paper.currentCodeHash}`,
      user: 'U0STRANGER1',
      message: codeStep,
    });
    const ephemeral = await fake.waitForCall(
      'chat.postEphemeral',
      (call) => call.args.user === 'U0STRANGER1',
    );
    expect(String(ephemeral.args.text)).toMatch(/Only approvers can start runs/);
    expect((await deps.papers.get(paper.id))?.state).toBe('code_ready');
  });

  it('answers a button for an older code version with "a newer version exists"', async () => {
    sherpa = await startSherpa({ env: { COMPUTE: 'local' } });
    const { fake, deps } = sherpa;
    const { paper, codeStep } = await paperWithCodeStep(sherpa, { code: NEURON_STANDIN_TRAINING });
    await fake.clickButton({
      actionId: ACTION_IDS.runCode,
      value: `${paper.id}:${'0'.repeat(64)}`,
      user: TEST_APPROVER,
      message: codeStep,
    });
    const ephemeral = await fake.waitForCall(
      'chat.postEphemeral',
      (call) => call.args.user === TEST_APPROVER,
    );
    expect(String(ephemeral.args.text)).toMatch(/newer version of the code exists/);
    expect((await deps.papers.get(paper.id))?.state).toBe('code_ready');
  });

  it('holds an over-budget run in the thread, and the Override button releases it', async () => {
    sherpa = await startSherpa({
      env: { COMPUTE: 'local', DAILY_BUDGET_USD: '0.5', RUN_TIMEOUT_MINUTES: '2' },
    });
    await chmod(sherpa.dataDir, 0o755);
    const { fake, deps } = sherpa;
    const { paper, codeStep } = await paperWithCodeStep(sherpa, { code: NEURON_STANDIN_TRAINING });
    await deps.ledger.record({
      at: new Date().toISOString(),
      paperId: paper.id,
      kind: 'llm',
      resource: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      purpose: 'codegen.code',
      usd: 0.6,
    });
    const threadTs = paper.thread?.ts as string;
    await fake.clickButton({
      actionId: ACTION_IDS.runCode,
      value: `${paper.id}:${paper.currentCodeHash}`,
      user: TEST_APPROVER,
      message: codeStep,
    });
    const held = await until('the hold message', () =>
      fake.messages({ threadTs }).find((message) => textOf(message).includes('Run held: over budget')),
    );
    expect((await deps.papers.get(paper.id))?.state).toBe('run_held');

    await fake.clickButton({
      actionId: ACTION_IDS.overrideBudget,
      value: `${paper.id}:${paper.currentCodeHash}`,
      user: TEST_APPROVER,
      message: held,
    });
    await until('the run to succeed', async () =>
      (await deps.papers.get(paper.id))?.state === 'succeeded' ? true : undefined,
    );
    const audit = await deps.papers.audit(paper.id);
    expect(audit.map((entry) => entry.to)).toEqual(
      expect.arrayContaining(['run_held', 'run_approved', 'queued', 'running', 'succeeded']),
    );
  });
});
