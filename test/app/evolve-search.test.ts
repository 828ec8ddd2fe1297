import { chmod, rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EvolveSearch } from '../../src/domain/evolve-search.js';
import type { SearchStore } from '../../src/ports/search-store.js';
import type { Paper } from '../../src/domain/paper.js';
import { ACTION_IDS, VIEW_IDS } from '../../src/messages/action-ids.js';
import { codeStepMessage } from '../../src/messages/code-step.js';
import { variantResponder, EVOLVE_SCRIPT } from '../support/evolve-e2e.js';
import { startFakeBedrock, type FakeBedrock } from '../support/fake-bedrock.js';
import { useFakeBedrockEnv } from '../support/fake-bedrock-llm.js';
import { writeFakeNeuronProfile } from '../support/fake-neuron-tools.js';
import { seedCodeReadyPaper } from '../support/run-fixtures.js';
import { openTempDir } from '../runner/runner-cli.js';
import type { FakeMessage, SlackFake } from '../support/slack-fake/index.js';
import { buttonValue, textOf, until as untilEvery } from '../support/message-probes.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';

/**
 * Issue 13, "Done when", end to end through the Slack fake, the loopback Bedrock fake (it answers variant
 * diffs) and the local compute (the real runner, contained): a paper's code runs once with Run on Trainium;
 * `/paper evolve` posts the plan, an approver confirms it in the modal, and the bot's evolve worker runs a
 * 3-variant, 2-generation search: one leaderboard message updated in place, a plot per generation, the better
 * child kept, the summary with Adopt; Adopt makes a new code version that runs with Run on Trainium.
 */
const ENV_KEYS = [
  'PATH',
  'SHERPA_SANDBOX_USER',
  'SHERPA_PYTHON',
  'SHERPA_PROGRESS_INTERVAL_SECONDS',
  'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'AWS_PROFILE',
];

let sherpa: SherpaHarness | undefined;
let bedrock: FakeBedrock;
let tools: string;
let saved: Record<string, string | undefined>;

beforeEach(async () => {
  saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  tools = await openTempDir();
  const bin = await writeFakeNeuronProfile(tools);
  Object.assign(process.env, {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    ...(process.getuid?.() === 0 ? { SHERPA_SANDBOX_USER: 'nobody', SHERPA_PYTHON: '/usr/bin/python3' } : {}),
    SHERPA_PROGRESS_INTERVAL_SECONDS: '0.2',
  });
  bedrock = await startFakeBedrock();
  useFakeBedrockEnv(bedrock);
});

afterEach(async () => {
  await sherpa?.stop();
  sherpa = undefined;
  await bedrock.close();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await rm(tools, { recursive: true, force: true });
});

async function startBot(): Promise<SherpaHarness> {
  const harness = await startSherpa({
    env: { COMPUTE: 'local', RUNNER_BACKEND: 'neuron', RUN_TIMEOUT_MINUTES: '2' },
  });
  // The code runs as an unprivileged user, which must be able to reach its working folder under DATA_DIR.
  await chmod(harness.dataDir, 0o755);
  return harness;
}

/** A paper whose code step (the stand-in script) is in its thread, ready for Run on Trainium. */
async function paperWithCodeStep(harness: SherpaHarness): Promise<{ paper: Paper; codeStep: FakeMessage }> {
  const { deps, fake } = harness;
  const channel = harness.config.slack.channel;
  const root = await deps.chat.post({ channel, text: 'A paper thread' });
  const paper = await seedCodeReadyPaper(deps, 0, { code: EVOLVE_SCRIPT, thread: { channel, ts: root.ts } });
  const version = paper.codeVersions[0];
  if (!version) throw new Error('no code version');
  const posted = await deps.chat.post({
    channel,
    thread_ts: root.ts,
    ...codeStepMessage({
      paperId: paper.id,
      paperTitle: paper.title,
      version,
      code: EVOLVE_SCRIPT,
      requestedBy: TEST_APPROVER,
      modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      runBudgetMinutes: 10,
      runTarget: { kind: 'local', backend: 'neuron' },
    }),
  });
  const codeStep = fake.messages({ threadTs: root.ts }).find((message) => message.ts === posted.ts);
  if (!codeStep) throw new Error('code step not recorded by the fake');
  return { paper, codeStep };
}

/** Run on Trainium on a code step, and the run's result message once it succeeded. */
async function runOnTrainium(harness: SherpaHarness, paper: Paper, codeHash: string, codeStep: FakeMessage) {
  const threadTs = paper.thread?.ts as string;
  const before = harness.fake
    .messages({ threadTs })
    .filter((m) => textOf(m).includes('Run succeeded')).length;
  await harness.fake.clickButton({
    actionId: ACTION_IDS.runCode,
    value: `${paper.id}:${codeHash}`,
    user: TEST_APPROVER,
    message: codeStep,
  });
  return until(
    'the run to succeed',
    () => harness.fake.messages({ threadTs }).filter((m) => textOf(m).includes('Run succeeded'))[before],
    90_000,
  );
}

describe('an evolve search, end to end (COMPUTE=local)', () => {
  it('plans, confirms, runs 3 × 2 variants in one leaderboard, keeps the better child, and Adopt runs', async () => {
    sherpa = await startBot();
    const { fake, deps } = sherpa;
    const { paper, codeStep } = await paperWithCodeStep(sherpa);
    const threadTs = paper.thread?.ts as string;
    await runOnTrainium(sherpa, paper, paper.currentCodeHash as string, codeStep);

    // Generation 1 finds the better learning rate (0.9); generation 2's children are all worse.
    const proposals = variantResponder([
      [0.9, 0.2, 0.3],
      [0.7, 0.8, 0.6],
    ]);
    bedrock.respondWith(proposals);
    const command = await fake.sendSlashCommand(
      '/paper',
      `evolve ${paper.id} --variants 3 --generations 2 --minutes 1 --max-usd 1 --metric val_loss:min`,
      TEST_APPROVER,
    );
    const answer = await fake.waitForCall('response_url', (c) => c.responseUrlId === command.responseUrlId);
    expect(String(answer.args.text)).toContain('The plan is in the paper');
    const { plan, searchId, submit } = await confirmThePlan(fake, threadTs);
    expect((await fake.waitForAck(submit.envelopeId)).payload).toEqual({});
    await until('the confirmed plan to carry Stop', () => {
      const current = fake.messages({ threadTs }).find((m) => m.ts === plan.ts);
      return current && buttonValue(current, ACTION_IDS.evolveStop) ? current : undefined;
    });

    const done = await searchEnded(deps.searches!, searchId, 'finished', 'the search to finish');

    // Two proposal calls, one per generation; every variant ran once (its smoke stage the gate inside its one
    // run), the parent beside them.
    expect(proposals.calls).toBe(2);
    const kept = done.variants.find(
      (v) => v.role === 'child' && v.codeHash === done.parentHash,
    ) as EvolveSearch['variants'][number];
    expect(kept).toMatchObject({
      id: `${searchId}.g1.v0`,
      strategy: 'learning rate 0.9',
      status: 'succeeded',
    });
    expect(done.generations.map((g) => g.judged?.replaced)).toEqual([true, false]);
    const started = sherpa.logs.find('runner started on this host').map((line) => String(line.runId));
    expect(new Set(started).size).toBe(started.length);
    const variantRuns = started.filter((id) => id.startsWith(searchId));
    // 3 children + the parent, twice: no separate smoke runs.
    expect(variantRuns).toHaveLength(8);
    expect(variantRuns.filter((id) => id.endsWith('.smoke'))).toEqual([]);
    // Every child passed its smoke gate (the real runner's, on its first METRICS line with val_loss).
    const children = done.variants.filter((v) => v.role === 'child');
    expect(children.every((v) => v.gate?.passed === true)).toBe(true);
    expect(done.variants.filter((v) => v.role === 'parent').every((v) => v.gate === undefined)).toBe(true);

    // One leaderboard message, posted once and updated in place; a plot after each generation.
    const leaderboardPosts = fake
      .calls('chat.postMessage')
      .filter((c) => c.args.thread_ts === threadTs && String(c.args.text).startsWith('Evolve leaderboard'));
    expect(leaderboardPosts).toHaveLength(1);
    const boardTs = (leaderboardPosts[0]?.response as { ts: string }).ts;
    expect(done.leaderboardTs).toBe(boardTs);
    expect(fake.calls('chat.update').filter((c) => c.args.ts === boardTs).length).toBeGreaterThanOrEqual(6);
    const board = fake.messages({ threadTs }).find((m) => m.ts === boardTs);
    expect(textOf(board)).toContain('generation 2 of 2 · finished');
    expect(textOf(board)).toContain('learning rate 0.9');
    const uploads = fake.uploads().map((u) => u.filename);
    expect(uploads).toEqual(
      expect.arrayContaining([
        `evolve-${searchId}-g1.png`,
        `evolve-${searchId}-g2.png`,
        `evolve-${searchId}.tsv`,
      ]),
    );
    const plot = fake.uploads().find((u) => u.filename.endsWith('-g1.png'));
    expect(
      Buffer.from(plot?.bytes ?? [])
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');

    // The summary: a real improvement, the lineage, the diff of LR, and Adopt.
    const summary = await until('the summary', () =>
      fake.messages({ threadTs }).find((m) => String(m.text).startsWith('Evolve finished')),
    );
    // The plan message follows the search to its end: its Stop buttons do not outlive the search.
    await until('the plan to show the end', () => {
      const current = fake.messages({ threadTs }).find((m) => m.ts === plan.ts);
      return current && !buttonValue(current, ACTION_IDS.evolveStop) ? current : undefined;
    });
    expect(textOf(summary)).toContain('a real improvement');
    expect(textOf(summary)).toContain('+LR = 0.9');
    const adopt = buttonValue(summary, ACTION_IDS.evolveAdopt);
    expect(adopt).toBe(`${searchId}:${kept.id}`);

    // Adopt: a new code version with its code step; Run on Trainium runs it.
    await fake.clickButton({
      actionId: ACTION_IDS.evolveAdopt,
      value: adopt as string,
      user: TEST_APPROVER,
      message: summary,
    });
    const adopted = await until('the adopted version', async () => {
      const current = await deps.papers.get(paper.id);
      return current?.currentCodeHash === kept.codeHash ? current : undefined;
    });
    expect(adopted.codeVersions).toHaveLength(2);
    const step = await until('the adopted code step', () =>
      fake
        .messages({ threadTs })
        .find((m) => buttonValue(m, ACTION_IDS.runCode) === `${paper.id}:${kept.codeHash}`),
    );
    const result = await runOnTrainium(sherpa, adopted, kept.codeHash as string, step);
    expect(textOf(result)).toContain('val_loss');
    expect(fake.unexpectedCalls()).toEqual([]);
  }, 300_000);

  it('stops before a generation that would pass the cap, with the reason in the thread', async () => {
    sherpa = await startBot();
    const { fake, deps } = sherpa;
    const { paper, codeStep } = await paperWithCodeStep(sherpa);
    const threadTs = paper.thread?.ts as string;
    await runOnTrainium(sherpa, paper, paper.currentCodeHash as string, codeStep);
    // The plan fits $0.10, but generation 1's call costs far more than estimated (the ledger's actual figures):
    // with it spent, generation 2's estimate would pass the cap.
    const proposals = variantResponder([[0.9, 0.2, 0.3]], () => ({
      inputTokens: 20_000,
      outputTokens: 3_000,
    }));
    bedrock.respondWith(proposals);
    await fake.sendSlashCommand(
      '/paper',
      `evolve ${paper.id} --variants 3 --generations 2 --minutes 1 --max-usd 0.1 --metric val_loss:min`,
      TEST_APPROVER,
    );
    const { searchId } = await confirmThePlan(fake, threadTs);

    const done = await searchEnded(deps.searches!, searchId, 'capped', 'the search to stop at its cap');
    expect(proposals.calls).toBe(1);
    expect(done.generations.filter((g) => g.judged)).toHaveLength(1);
    expect(done.endReason).toMatch(/^stopped before generation 2/);
    const started = sherpa.logs.find('runner started on this host').map((line) => String(line.runId));
    expect(started.filter((id) => id.startsWith(`${searchId}.g2.`))).toEqual([]);
    const summary = await until('the summary', () =>
      fake.messages({ threadTs }).find((m) => String(m.text).startsWith('Evolve finished')),
    );
    expect(textOf(summary)).toContain(`(capped): ${done.endReason}`);
    const board = fake.messages({ threadTs }).find((m) => m.ts === done.leaderboardTs);
    expect(textOf(board)).toContain('· capped');
  }, 300_000);
});

/** Runs and searches take seconds each here: a minute by default, polled every 50 ms. */
function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 60_000,
) {
  return untilEvery(what, probe, ms, 50);
}

/** The search in `state` with its summary's files posted: how both searches here end. */
function searchEnded(searches: SearchStore, searchId: string, state: EvolveSearch['state'], what: string) {
  return until(
    what,
    async () => {
      const search = await searches.get(searchId);
      return search?.state === state && search.summaryFilesAt ? search : undefined;
    },
    150_000,
  );
}

/** The plan posted in the thread, its Confirm search… clicked and the modal submitted by an approver. */
async function confirmThePlan(fake: SlackFake, threadTs: string) {
  const plan = await until('the plan', () =>
    fake.messages({ threadTs }).find((m) => buttonValue(m, ACTION_IDS.evolveConfirm)),
  );
  const searchId = buttonValue(plan, ACTION_IDS.evolveConfirm) as string;
  await fake.clickButton({
    actionId: ACTION_IDS.evolveConfirm,
    value: searchId,
    user: TEST_APPROVER,
    message: plan,
  });
  await fake.waitForCall('views.open');
  const modal = fake.views().find((view) => view.callbackId === VIEW_IDS.evolveConfirm);
  const submit = await fake.submitView({
    callbackId: VIEW_IDS.evolveConfirm,
    user: TEST_APPROVER,
    view: modal,
  });
  return { plan, searchId, submit };
}
