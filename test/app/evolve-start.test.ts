import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvolveSearch } from '../../src/domain/evolve-search.js';
import type { EvolveJob } from '../../src/domain/jobs.js';
import { ACTION_IDS, VIEW_IDS } from '../../src/messages/action-ids.js';
import { MODAL_INPUT } from '../../src/messages/modal-metadata.js';
import type { SearchStore } from '../../src/ports/search-store.js';
import type { WorkQueue } from '../../src/ports/work-queue.js';
import { seedSearch, seedSucceededPaper, type SucceededPaper } from '../support/evolve-seeds.js';
import type { FakeMessage } from '../support/slack-fake/index.js';
import { buttonsOf, textOf, until } from '../support/message-probes.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';

/**
 * Starting an evolve search from Slack (issue 13, item 1), through the real app on the protocol-level Slack
 * fake: Evolve on a succeeded run's result → the plan in the thread → Confirm → the modal → `confirmed`, once,
 * whatever is clicked twice; `/paper evolve` with its flags; and every refusal, which starts nothing.
 */
const OBJECTIVE = { metric: 'loss', direction: 'min' } as const;

let sherpa: SherpaHarness;
let searches: SearchStore;
let n = 0;
/** Every job handed to the evolve queue (the queue itself dedupes by search id, so sends are what is counted). */
const sent: EvolveJob[] = [];

beforeAll(async () => {
  // Local compute: runs are on (its instance time is free), so only the model's tokens cost money here.
  sherpa = await startSherpa({
    env: { COMPUTE: 'local', DAILY_BUDGET_USD: '25' },
    decorateDeps: (deps) => {
      const evolve = deps.queues.evolve as WorkQueue<EvolveJob>;
      const counted = Object.create(evolve) as WorkQueue<EvolveJob>;
      counted.send = (job, options) => {
        sent.push(job);
        return evolve.send(job, options);
      };
      return { ...deps, queues: { ...deps.queues, evolve: counted } };
    },
  });
  searches = sherpa.deps.searches as SearchStore;
  // Booting the app takes seconds; on a loaded machine more than the default hook timeout.
}, 60_000);
afterAll(async () => {
  await sherpa?.stop();
});

const inThread = (seeded: SucceededPaper, needle: string) =>
  sherpa.fake.messages({ threadTs: seeded.threadTs }).filter((message) => textOf(message).includes(needle));

async function click(
  actionId: string,
  value: string,
  message: FakeMessage | undefined,
  user = TEST_APPROVER,
) {
  const sent = await sherpa.fake.clickButton({ actionId, value, user, ...(message ? { message } : {}) });
  await sherpa.fake.waitForAck(sent.envelopeId);
  return sent;
}

/** The ephemeral answer to `user` containing `needle`. */
async function ephemeral(needle: string, user = TEST_APPROVER) {
  const call = await sherpa.fake.waitForCall(
    'chat.postEphemeral',
    (c) => c.args.user === user && String(c.args.text).includes(needle),
  );
  return String(call.args.text);
}

async function ask(text: string, user = TEST_APPROVER) {
  const sent = await sherpa.fake.sendSlashCommand('/paper', text, user);
  const ack = await sherpa.fake.waitForAck(sent.envelopeId);
  const answer = (ack.payload as { text?: string } | undefined)?.text;
  if (answer) return answer;
  const reply = await sherpa.fake.waitForCall('response_url', (c) => c.responseUrlId === sent.responseUrlId);
  return String(reply.args.text);
}

/**
 * A paper whose code v1 ran; `declared: false` makes v1 a version from before objectives were declared, and
 * `result` stores the run's result.json (it printed `loss`).
 */
async function seeded(declared = true, result = false) {
  n += 1;
  return seedSucceededPaper(sherpa.deps, 300 + n, { ...(declared ? { objective: OBJECTIVE } : {}), result });
}

const resultOf = (paper: SucceededPaper) =>
  sherpa.fake.messages({ threadTs: paper.threadTs }).find((m) => m.ts === paper.resultTs) as FakeMessage;

describe('Evolve from a run result (issue 13, item 1)', () => {
  it('plans with the defaults, confirms once in a modal, and a double click or double submit changes nothing', async () => {
    const paper = await seeded();
    const result = resultOf(paper);
    const evolve = buttonsOf(result).find((button) => button.action_id === ACTION_IDS.evolveStart);
    expect(evolve?.value).toBe(`${paper.paper.id}:${paper.codeHash}`);

    // Two clicks, as a double click or a redelivery would bring them: one search, one plan.
    await Promise.all([
      click(ACTION_IDS.evolveStart, evolve!.value!, result),
      click(ACTION_IDS.evolveStart, evolve!.value!, result),
    ]);
    const plan = await until('the plan', () => inThread(paper, 'Evolve plan*')[0]);
    await ephemeral('already has a live search');
    const search = (await searches.liveFor(paper.paper.id)) as EvolveSearch;
    expect(search).toMatchObject({
      state: 'planned',
      requestedBy: TEST_APPROVER,
      origin: { codeHash: paper.codeHash, runId: paper.runId },
      settings: {
        variants: 8,
        generations: 5,
        minutes: sherpa.config.codegen.runBudgetMinutes,
        objective: OBJECTIVE,
      },
      thread: { ts: paper.threadTs },
    });
    expect(search.settings.maxUsd).toBe(25);
    expect(textOf(plan)).toContain('5 generations × 8 variants');
    expect(textOf(plan)).toContain('of the $25.00 cap');
    expect(buttonsOf(plan).map((b) => b.action_id)).toEqual([
      ACTION_IDS.evolveConfirm,
      ACTION_IDS.evolveStop,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(inThread(paper, 'Evolve plan*')).toHaveLength(1);

    // Confirm opens the modal; nothing moves until it is submitted.
    await click(ACTION_IDS.evolveConfirm, search.id, plan);
    await sherpa.fake.waitForCall('views.open');
    const modal = sherpa.fake.views().find((view) => view.callbackId === VIEW_IDS.evolveConfirm);
    expect(modal).toBeDefined();
    expect(JSON.parse(modal!.privateMetadata ?? '{}')).toMatchObject({
      searchId: search.id,
      messageTs: plan.ts,
    });
    expect((await searches.get(search.id))?.state).toBe('planned');

    const submit = () =>
      sherpa.fake.submitView({
        callbackId: VIEW_IDS.evolveConfirm,
        user: TEST_APPROVER,
        view: modal,
        values: {
          [MODAL_INPUT.note.blockId]: {
            [MODAL_INPUT.note.actionId]: { type: 'plain_text_input', value: 'Overnight <!channel> run' },
          },
        },
      });
    const [first, second] = await Promise.all([submit(), submit()]);
    expect((await sherpa.fake.waitForAck(first.envelopeId)).payload).toEqual({});
    await sherpa.fake.waitForAck(second.envelopeId);
    await ephemeral('already confirmed this search');
    // Handed to the worker exactly once, by the submit that moved it. The worker (running in this Sherpa) may
    // already have taken the search on from `confirmed`; who confirmed it stays.
    expect(sent).toEqual([{ searchId: search.id, paperId: paper.paper.id }]);
    const confirmed = (await searches.get(search.id)) as EvolveSearch;
    expect(confirmed.confirmedBy).toBe(TEST_APPROVER);
    expect(confirmed.state).not.toBe('planned');

    // The plan now says who confirmed it and carries Stop and Stop now; the thread has one line, escaped.
    const updated = await until('the plan to show the confirmation', () => {
      const message = sherpa.fake.messages().find((m) => m.ts === plan.ts);
      return textOf(message).includes('Confirmed by') && message;
    });
    expect(buttonsOf(updated).map((b) => b.action_id)).toEqual([
      ACTION_IDS.evolveStop,
      ACTION_IDS.evolveStopNow,
    ]);
    const lines = await until('the confirmation line', () => {
      const found = inThread(paper, 'confirmed the evolve search');
      return found.length > 0 && found;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(inThread(paper, 'confirmed the evolve search')).toHaveLength(1);
    expect(textOf(lines[0])).toContain('&lt;!channel&gt;');
    expect(sherpa.fake.unexpectedCalls()).toEqual([]);
  }, 60_000);

  it('refuses a non-approver, and a code version without an objective, starting nothing', async () => {
    const paper = await seeded();
    await click(
      ACTION_IDS.evolveStart,
      `${paper.paper.id}:${paper.codeHash}`,
      resultOf(paper),
      'U0STRANGER1',
    );
    expect(await ephemeral('Only approvers can start an evolve search', 'U0STRANGER1')).toContain('nothing');
    expect(await searches.liveFor(paper.paper.id)).toBeUndefined();

    const old = await seeded(false);
    await click(ACTION_IDS.evolveStart, `${old.paper.id}:${old.codeHash}`, resultOf(old));
    expect(await ephemeral('declares no objective metric')).toContain('--metric val_loss:min');
    expect(await searches.liveFor(old.paper.id)).toBeUndefined();
    expect(inThread(old, 'Evolve plan')).toHaveLength(0);
  });

  it('Cancel on a plan ends it before it starts, and the paper may plan again', async () => {
    const paper = await seeded();
    await click(ACTION_IDS.evolveStart, `${paper.paper.id}:${paper.codeHash}`, resultOf(paper));
    const plan = await until('the plan', () => inThread(paper, 'Evolve plan*')[0]);
    const search = (await searches.liveFor(paper.paper.id)) as EvolveSearch;
    await click(ACTION_IDS.evolveStop, search.id, plan);
    await until('the cancellation line', () => inThread(paper, 'cancelled the evolve plan')[0]);
    expect(await searches.get(search.id)).toMatchObject({ state: 'stopped', stop: { by: TEST_APPROVER } });
    const cancelled = sherpa.fake.messages().find((m) => m.ts === plan.ts);
    expect(buttonsOf(cancelled)).toEqual([]);
    // A Confirm clicked on the stale plan opens nothing.
    await click(ACTION_IDS.evolveConfirm, search.id, plan);
    expect(await ephemeral('can no longer be confirmed')).toContain('/paper evolve');
    expect(await ask(`evolve ${paper.paper.id} --variants 2 --generations 1`)).toContain(
      'The plan is in the paper',
    );
  });
});

describe('/paper evolve (issue 13, item 1)', () => {
  it('takes its flags into the plan, and names the live search when asked again', async () => {
    const paper = await seeded();
    const answer = await ask(
      `evolve ${paper.paper.arxivId} --variants 3 --generations 2 --minutes 4 --max-usd 5 --metric accuracy:max --target neuron`,
    );
    expect(answer).toContain("The plan is in the paper's thread");
    const search = (await searches.liveFor(paper.paper.id)) as EvolveSearch;
    expect(search.settings).toMatchObject({
      variants: 3,
      generations: 2,
      minutes: 4,
      maxUsd: 5,
      objective: { metric: 'accuracy', direction: 'max' },
      target: 'neuron',
    });
    const plan = await until('the plan', () => inThread(paper, 'Evolve plan*')[0]);
    expect(textOf(plan)).toContain('2 generations × 3 variants, 4 min each');
    expect(await ask(`evolve ${paper.paper.id}`)).toContain('already has a live search');
    expect(inThread(paper, 'Evolve plan*')).toHaveLength(1);
  });

  it('posts a plan over its cap without Confirm, and it does not hold the paper', async () => {
    const paper = await seeded();
    expect(await ask(`evolve ${paper.paper.id} --max-usd 0.01`)).toContain('over its cap');
    const plan = await until('the plan', () => inThread(paper, 'Evolve plan*')[0]);
    expect(textOf(plan)).toContain('over the cap');
    expect(buttonsOf(plan)).toEqual([]);
    expect(await searches.liveFor(paper.paper.id)).toBeUndefined();
  });

  it('answers bad flags, unknown papers, papers without a succeeded run and non-approvers, starting nothing', async () => {
    expect(await ask('evolve p_abc123abc123 --variants many')).toContain('--variants needs a whole number');
    expect(await ask('evolve p_abc123abc123 --speed 3')).toContain(
      '--speed is not an option of /paper evolve',
    );
    expect(await ask('evolve 2401.99999')).toContain('does not know');
    const paper = await seeded();
    expect(await ask(`evolve ${paper.paper.id}`, 'U0STRANGER1')).toContain(
      'Only approvers can use `/paper evolve`',
    );
    const ready = (await sherpa.deps.papers.get(paper.paper.id))!;
    await sherpa.deps.papers.update(ready.id, { runs: [] }, { ifVersion: ready.version });
    expect(await ask(`evolve ${paper.paper.id}`)).toContain('has no succeeded run');
    expect(await ask(`evolve ${paper.paper.id} --target cuda`)).toContain('has no succeeded run');
    expect(await searches.liveFor(paper.paper.id)).toBeUndefined();
  });

  it("starts from the run's own measurement of the objective, and refuses one the run never printed", async () => {
    const paper = await seeded(true, true);
    expect(await ask(`evolve ${paper.paper.id} --metric accuracy:max`)).toContain(
      `Run \`${paper.runId}\` never printed \`accuracy\``,
    );
    expect(await searches.liveFor(paper.paper.id)).toBeUndefined();
    expect(await ask(`evolve ${paper.paper.id} --variants 2`)).toContain("The plan is in the paper's thread");
    expect((await searches.liveFor(paper.paper.id))?.origin).toEqual({
      codeHash: paper.codeHash,
      runId: paper.runId,
      metric: 1.4,
    });
  });

  it('posts the plan of a search stored just before a crash when Evolve is clicked again', async () => {
    const paper = await seeded();
    // The crash: the search was stored `planned`, its plan never posted.
    const stored = await seedSearch({ ...sherpa.deps, searches }, paper, 'planned');
    await click(ACTION_IDS.evolveStart, `${paper.paper.id}:${paper.codeHash}`, resultOf(paper));
    const plan = await until('the plan', () => inThread(paper, 'Evolve plan*')[0]);
    expect(buttonsOf(plan)[0]).toMatchObject({ action_id: ACTION_IDS.evolveConfirm, value: stored.id });
    await click(ACTION_IDS.evolveStart, `${paper.paper.id}:${paper.codeHash}`, resultOf(paper));
    await ephemeral(`already has a live search (\`${stored.id}\``);
    expect(inThread(paper, 'Evolve plan*')).toHaveLength(1);
  });

  it('refuses a code version written for the other hardware', async () => {
    const paper = await seeded();
    expect(await ask(`evolve ${paper.paper.id} --target cuda`)).toContain('port it first');
    expect(await searches.liveFor(paper.paper.id)).toBeUndefined();
  });
});
