import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeHashOf } from '../../src/codegen/store-code-version.js';
import { postPlan } from '../../src/evolve/plan-message.js';
import { estimateFor } from '../../src/evolve/plan-search.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import type { SearchStore } from '../../src/ports/search-store.js';
import { seedFinishedSearch, seedSearch, seedSucceededPaper } from '../support/evolve-seeds.js';
import type { FakeMessage } from '../support/slack-fake/index.js';
import { buttonsOf, textOf, until } from '../support/message-probes.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';

/**
 * Steering a search from Slack (issue 13, item 6), through the real app on the protocol-level Slack fake: Stop
 * and Stop now record who stopped it and how, with one line in the thread each; Adopt as code version makes the
 * best variant the paper's current code and posts it as a code step with its Run button; second clicks change
 * nothing. Searches are stored directly: the worker that runs them is not under test here.
 */
let sherpa: SherpaHarness;
let searches: SearchStore;
let n = 0;

beforeAll(async () => {
  sherpa = await startSherpa({ env: { COMPUTE: 'local' } });
  searches = sherpa.deps.searches as SearchStore;
  // Booting the app takes seconds; on a loaded machine more than the default hook timeout.
}, 60_000);
afterAll(async () => {
  await sherpa?.stop();
});

const inThread = (threadTs: string, needle: string) =>
  sherpa.fake.messages({ threadTs }).filter((message) => textOf(message).includes(needle));

async function click(actionId: string, value: string, message: FakeMessage, user = TEST_APPROVER) {
  const sent = await sherpa.fake.clickButton({ actionId, value, user, message });
  await sherpa.fake.waitForAck(sent.envelopeId);
}

async function ephemeral(needle: string, user = TEST_APPROVER) {
  const call = await sherpa.fake.waitForCall(
    'chat.postEphemeral',
    (c) => c.args.user === user && String(c.args.text).includes(needle),
  );
  return String(call.args.text);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

async function seeded() {
  n += 1;
  return seedSucceededPaper(sherpa.deps, 400 + n, { objective: { metric: 'loss', direction: 'min' } });
}

/** A message in the thread carrying the search's buttons (the leaderboard's, as the worker posts it). */
async function searchMessage(threadTs: string, searchId: string, ids: string[]): Promise<FakeMessage> {
  const channel = sherpa.config.slack.channel;
  const posted = await sherpa.deps.chat.post({
    channel,
    thread_ts: threadTs,
    text: 'Evolve leaderboard',
    blocks: [
      {
        type: 'actions',
        elements: ids.map((id) => ({
          type: 'button' as const,
          action_id: id,
          text: { type: 'plain_text' as const, text: id },
          value: searchId,
        })),
      },
    ],
  });
  return sherpa.fake.messages({ threadTs }).find((m) => m.ts === posted.ts) as FakeMessage;
}

describe('Stop and Stop now (issue 13, item 6)', () => {
  it('records who stopped the search and how, says so once in the thread, and a second click changes nothing', async () => {
    const paper = await seeded();
    const search = await seedSearch({ ...sherpa.deps, searches }, paper, 'running');
    const board = await searchMessage(paper.threadTs, search.id, [
      ACTION_IDS.evolveStop,
      ACTION_IDS.evolveStopNow,
    ]);

    await click(ACTION_IDS.evolveStop, search.id, board, 'U0STRANGER1');
    expect(await ephemeral('Only approvers can stop an evolve search', 'U0STRANGER1')).toContain('nothing');
    expect((await searches.get(search.id))?.stop).toBeUndefined();

    await click(ACTION_IDS.evolveStop, search.id, board);
    await until('the stop line', () => inThread(paper.threadTs, 'stopped the search')[0]);
    expect((await searches.get(search.id))?.stop).toMatchObject({
      mode: 'after_in_flight',
      by: TEST_APPROVER,
    });
    await click(ACTION_IDS.evolveStop, search.id, board);
    expect(await ephemeral('already stopped this search')).toContain('after the runs in flight');
    await settle();
    expect(inThread(paper.threadTs, 'stopped the search')).toHaveLength(1);

    // Stop now after Stop: the stronger stop is recorded and told, once, as its clicker's.
    await click(ACTION_IDS.evolveStopNow, search.id, board, 'U0APPROVER1');
    const now = await until(
      'the stop-now line',
      () => inThread(paper.threadTs, 'stopped the search *now*')[0],
    );
    expect(textOf(now)).toContain(`<@${TEST_APPROVER}>`);
    expect((await searches.get(search.id))?.stop?.mode).toBe('now');
    await click(ACTION_IDS.evolveStopNow, search.id, board);
    await ephemeral('already stopped this search now');
    await settle();
    expect(inThread(paper.threadTs, 'stopped the search')).toHaveLength(2);
    // The search is still the worker's to end (after the runs in flight, or at once): the state is untouched.
    expect((await searches.get(search.id))?.state).toBe('running');
  });

  it('says a search that already ended has nothing to stop, and its plan stops offering Stop', async () => {
    const paper = await seeded();
    const { search } = await seedFinishedSearch({ ...sherpa.deps, searches }, paper);
    // Its plan, as posted when it was running: it still offers Stop and Stop now.
    const running = { ...search, state: 'running' as const };
    const { ts } = await postPlan(sherpa.deps, running, await estimateFor(sherpa.deps, running));
    const plan = sherpa.fake.messages({ threadTs: paper.threadTs }).find((m) => m.ts === ts) as FakeMessage;
    expect(buttonsOf(plan).map((b) => b.action_id)).toContain(ACTION_IDS.evolveStopNow);
    await click(ACTION_IDS.evolveStopNow, search.id, plan);
    expect(await ephemeral('Nothing to stop')).toContain('finished');
    expect((await searches.get(search.id))?.stop).toBeUndefined();
    // The stale buttons go: the plan now says how the search ended.
    const updated = await until('the plan to show the end', () => {
      const message = sherpa.fake.messages().find((m) => m.ts === ts);
      return textOf(message).includes('ended: finished') && message;
    });
    expect(buttonsOf(updated)).toEqual([]);
  });
});

describe('Adopt as code version (issue 13, item 6)', () => {
  it('makes the variant the current code, posts it with its Run button, and a second click is harmless', async () => {
    const paper = await seeded();
    const { search, variant, code } = await seedFinishedSearch({ ...sherpa.deps, searches }, paper);
    const summary = await searchMessage(paper.threadTs, `${search.id}:${variant.id}`, [
      ACTION_IDS.evolveAdopt,
    ]);

    await click(ACTION_IDS.evolveAdopt, `${search.id}:${variant.id}`, summary);
    const step = await until('code step v2', () => inThread(paper.threadTs, 'Code v2*')[0]);
    const hash = codeHashOf(code);
    const run = buttonsOf(step).find((button) => button.action_id === ACTION_IDS.runCode);
    // COMPUTE=local here: the one Run button of this host (Run on Trainium / Run on GPU with EC2 pools).
    expect(run?.text?.text).toMatch(/^Run/);
    expect(run?.value).toBe(`${paper.paper.id}:${hash}`);
    expect(textOf(step)).toContain(`adopted from evolve search ${search.id}`);
    const stored = await sherpa.deps.papers.get(paper.paper.id);
    expect(stored).toMatchObject({ state: 'code_ready', currentCodeHash: hash });
    expect(stored?.codeVersions.at(-1)).toMatchObject({
      version: 2,
      hash,
      evolvedFrom: { searchId: search.id, variantId: variant.id },
      objective: { metric: 'loss', direction: 'min' },
      backend: 'neuron',
    });
    const file = sherpa.fake.uploads().find((upload) => upload.title?.includes('v2'));
    expect(file).toMatchObject({ filename: 'train.py', length: Buffer.byteLength(code) });

    await click(ACTION_IDS.evolveAdopt, `${search.id}:${variant.id}`, summary);
    expect(await ephemeral('already code v2')).toContain('Run buttons');
    await settle();
    expect(inThread(paper.threadTs, 'Code v2*')).toHaveLength(1);
    expect((await sherpa.deps.papers.get(paper.paper.id))?.codeVersions).toHaveLength(2);
  });

  it('refuses a variant that has no finished code, and a value it cannot read', async () => {
    const paper = await seeded();
    const { search } = await seedFinishedSearch({ ...sherpa.deps, searches }, paper);
    const summary = await searchMessage(paper.threadTs, search.id, [ACTION_IDS.evolveAdopt]);
    await click(ACTION_IDS.evolveAdopt, `${search.id}:${search.id}.g1.v7`, summary);
    await ephemeral('That variant has no finished code to adopt.');
    await click(ACTION_IDS.evolveAdopt, 'not-a-search', summary);
    await ephemeral('That button carries no search');
    expect((await sherpa.deps.papers.get(paper.paper.id))?.codeVersions).toHaveLength(1);
  });
});
