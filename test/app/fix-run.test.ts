import { chmod, readFile } from 'node:fs/promises';
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
import { codegenResponder, userMessageOf } from '../support/fake-codegen-replies.js';
import { ingestAccepted } from '../support/sample-papers.js';
import type { FakeMessage } from '../support/slack-fake/index.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';

/**
 * **Ask Claude to fix**, end to end (issue 11, item 10): the real app on the Slack fake, code generation on the
 * Bedrock fake, and runs on the local compute adapter (the real runner, the code as an unprivileged user on the
 * CPU). Claude's first script passes every check but imports torch_xla unconditionally, so its run really fails
 * here (ModuleNotFoundError); the approver clicks Ask Claude to fix; the failure goes back to Claude, whose fixed
 * script arrives as code step v2; its run succeeds and its result shows the metrics.
 */
const FAILING = await readFile(
  new URL('../fixtures/codegen/fails-without-xla-train.py', import.meta.url),
  'utf8',
);
const FIXED = await readFile(new URL('../fixtures/codegen/fixed-train.py', import.meta.url), 'utf8');
const SAVED_ENV = [
  'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'AWS_PROFILE',
  'SHERPA_SANDBOX_USER',
  'SHERPA_PYTHON',
  'SHERPA_PROGRESS_INTERVAL_SECONDS',
];

let sherpa: SherpaHarness;
let bedrock: FakeBedrock;
let saved: Record<string, string | undefined>;

beforeEach(async () => {
  saved = Object.fromEntries(SAVED_ENV.map((key) => [key, process.env[key]]));
  bedrock = await startFakeBedrock();
  // Claude writes the failing script first; asked to fix it, the fixed one.
  let scripts = 0;
  const base = codegenResponder();
  bedrock.respondWith((request: RecordedConverse) => {
    if (request.toolName !== 'record_script') return base(request);
    scripts += 1;
    return toolUse({ code: scripts === 1 ? FAILING : FIXED, notes: '' });
  });
  useFakeBedrockEnv(bedrock);
  // The code runs as `nobody` (never as root) with an interpreter that user can reach; progress every 0.2 s.
  Object.assign(process.env, {
    ...(process.getuid?.() === 0 ? { SHERPA_SANDBOX_USER: 'nobody', SHERPA_PYTHON: '/usr/bin/python3' } : {}),
    SHERPA_PROGRESS_INTERVAL_SECONDS: '0.2',
  });
  sherpa = await startSherpa({
    env: { COMPUTE: 'local', RUNNER_BACKEND: 'cpu', RUN_TIMEOUT_MINUTES: '2' },
  });
  // The unprivileged user must reach the run's working folder under DATA_DIR.
  await chmod(sherpa.dataDir, 0o755);
});
afterEach(async () => {
  await sherpa.stop();
  await bedrock.close();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function until<T>(what: string, probe: () => T | undefined | false, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const textOf = (message: FakeMessage | undefined) =>
  JSON.stringify(message?.blocks ?? []) + (message?.text ?? '');

describe('Ask Claude to fix, end to end (COMPUTE=local)', () => {
  it('takes a failed run through the click, a new code step and a run of the fixed version to its result', async () => {
    const { fake, deps } = sherpa;
    const accepted = await ingestAccepted(deps.papers, 0, {}, new Date().toISOString());
    expect((await postThreads(deps)).opened).toEqual([accepted.id]);
    const paper = (await deps.papers.get(accepted.id)) as Paper;
    const threadTs = paper.thread?.ts as string;
    const inThread = (needle: string) => () =>
      fake.messages({ threadTs }).find((message) => textOf(message).includes(needle));
    const click = async (actionId: string, value: string, message: FakeMessage) =>
      fake.waitForAck((await fake.clickButton({ actionId, value, user: TEST_APPROVER, message })).envelopeId);

    // Code v1, and its run, which fails on this host for real.
    const root = fake.messages().find((message) => message.ts === threadTs) as FakeMessage;
    await click(ACTION_IDS.generateCode, paper.id, root);
    const v1 = await until('code step v1', inThread('Code v1*'));
    await click(ACTION_IDS.runCode, `${paper.id}:${codeHashOf(FAILING)}`, v1);
    const failed = await until('the failed run', inThread(ACTION_IDS.fixRun));
    expect(textOf(failed)).toContain('Run failed');
    const runId = (await deps.papers.get(paper.id))?.runs.at(-1)?.runId as string;
    expect((await deps.papers.get(paper.id))?.state).toBe('failed');

    // The click: the failure goes back to Claude, and the result message says who asked.
    await click(ACTION_IDS.fixRun, `${paper.id}:${runId}`, failed);
    const v2 = await until('code step v2', inThread('Code v2*'));
    expect(textOf(v2)).toContain(`Fix for run ${runId}`);
    const marked = fake.messages().find((message) => message.ts === failed.ts);
    expect(textOf(marked)).toContain(`<@${TEST_APPROVER}> asked Claude to fix this (round 1 of 3)`);
    expect(textOf(marked)).not.toContain(ACTION_IDS.fixRun);
    const fixPlan = bedrock.requests.filter((request) => request.toolName === 'record_plan')[1];
    expect(userMessageOf(fixPlan).text).toContain(`The run ${runId}`);
    expect(userMessageOf(fixPlan).text).toContain("No module named 'torch_xla'");

    // The run of the fixed version, and its result.
    await click(ACTION_IDS.runCode, `${paper.id}:${codeHashOf(FIXED)}`, v2);
    const succeeded = await until('the run of v2 to succeed', inThread('Run succeeded'));
    expect(textOf(succeeded)).toContain('loss');
    // The fixed script's last loss: 2.5 × 0.8⁵.
    expect(textOf(succeeded)).toContain('0.8192');
    const stored = await deps.papers.get(paper.id);
    expect(stored).toMatchObject({ state: 'succeeded', fixRounds: 1, currentCodeHash: codeHashOf(FIXED) });
    expect(stored?.runs.map((run) => run.codeHash)).toEqual([codeHashOf(FAILING), codeHashOf(FIXED)]);
    expect(fake.unexpectedCalls()).toEqual([]);
  }, 180_000);
});
