import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SlackChat } from '../../src/adapters/slack/index.js';
import { SqliteSearchStore } from '../../src/adapters/embedded/index.js';
import { driveSearch } from '../../src/evolve/drive-search.js';
import { showSearchInThread } from '../../src/evolve/search-thread.js';
import type { SearchThreadDeps } from '../../src/evolve/search-thread-deps.js';
import type { SearchStore } from '../../src/ports/search-store.js';
import type { SlackFake } from '../support/slack-fake/index.js';
import { searchRig, type SearchRig } from './search-rig.js';
import { paperThread, seedInThread, threadDeps, twoGenerationSummary } from './search-thread-fixture.js';

let rig: SearchRig;
let slack: SlackFake;
let chat: SlackChat;
let threadTs: string;

beforeEach(async () => {
  rig = searchRig({ summary: twoGenerationSummary });
  ({ slack, chat, threadTs } = await paperThread());
});
afterEach(async () => {
  rig.close();
  await slack.close();
});

/** A search with its thread, and what the thread needs; `searches` can be swapped for a failing one. */
async function seeded(searches: SearchStore = new SqliteSearchStore(rig.database, { clock: rig.clock })) {
  const search = await seedInThread(rig, searches, { channel: slack.identity.defaultChannel, ts: threadTs });
  const plots: number[] = [];
  const deps: SearchThreadDeps = {
    ...threadDeps(rig, searches, chat),
    renderPlot: async (s) => {
      plots.push(s.generation);
      return Buffer.from('png');
    },
  };
  return { search, deps, plots };
}

const inThread = () => slack.messages({ threadTs }).filter((m) => m.ts !== threadTs);
const textOf = (m: { text?: string; blocks?: unknown[] }) => JSON.stringify(m.blocks ?? []) + (m.text ?? '');

describe('a search in its thread', () => {
  it('posts one leaderboard and updates it, a plot per judged generation, then the summary with its files', async () => {
    const { search, deps, plots } = await seeded();
    const done = await driveSearch(rig.deps({ onChange: (s) => showSearchInThread(deps, s.id) }), search.id);
    expect(done?.state).toBe('finished');
    await showSearchInThread(deps, search.id);

    const posts = slack.calls('chat.postMessage').filter((c) => c.args.thread_ts === threadTs);
    const leaderboards = posts.filter((c) => String(c.args.text).startsWith('Evolve leaderboard'));
    expect(leaderboards).toHaveLength(1);
    const ts = (leaderboards[0]?.response as { ts: string }).ts;
    const updates = slack.calls('chat.update').filter((c) => c.args.ts === ts);
    expect(updates.length).toBeGreaterThan(4);
    const board = inThread().find((m) => m.ts === ts);
    expect(textOf(board ?? {})).toContain('generation 2 of 2 · finished');
    // Every variant, and no Stop button once the search is over.
    expect(textOf(board ?? {})).not.toContain('evolve.stop');

    expect(plots).toEqual([1, 2]);
    const names = slack.uploads().map((u) => u.filename);
    expect(names).toEqual([
      `evolve-${search.id}-g1.png`,
      `evolve-${search.id}-g2.png`,
      `train-${search.id}.g1.v1.py`,
      `evolve-${search.id}.tsv`,
    ]);
    const summaries = posts.filter((c) => String(c.args.text).startsWith('Evolve finished'));
    expect(summaries).toHaveLength(1);
    const summaryText = textOf(inThread().find((m) => String(m.text).startsWith('Evolve finished')) ?? {});
    expect(summaryText).toContain('Adopt as code version');
    expect(summaryText).toContain('a real improvement');
    expect(summaryText).toContain('Lineage: original → g1');

    // Again (a redelivered job): nothing new is posted or uploaded.
    await showSearchInThread(deps, search.id);
    expect(slack.calls('chat.postMessage').filter((c) => c.args.thread_ts === threadTs)).toHaveLength(
      posts.length,
    );
    expect(slack.uploads()).toHaveLength(4);
  });

  it('finds the leaderboard it posted before a crash by its metadata instead of posting a second one', async () => {
    const store = new SqliteSearchStore(rig.database, { clock: rig.clock });
    // The bot dies after chat.postMessage, before the ts is recorded: the record's write never happens.
    let crashed = false;
    const dying: SearchStore = Object.create(store) as SearchStore;
    dying.update = async (id, patch, options) => {
      if (patch.leaderboardTs && !crashed) {
        crashed = true;
        throw new Error('killed');
      }
      return store.update(id, patch, options);
    };
    const { search, deps } = await seeded(dying);
    await store.move(search.id, { from: 'confirmed', to: 'proposing', patch: { generation: 1 } });
    await expect(showSearchInThread(deps, search.id)).rejects.toThrow('killed');
    await showSearchInThread({ ...deps, searches: store }, search.id);

    const leaderboards = slack
      .calls('chat.postMessage')
      .filter((c) => String(c.args.text).startsWith('Evolve leaderboard'));
    expect(leaderboards).toHaveLength(1);
    const ts = (leaderboards[0]?.response as { ts: string }).ts;
    expect((await store.get(search.id))?.leaderboardTs).toBe(ts);
    expect(slack.calls('chat.update').filter((c) => c.args.ts === ts)).toHaveLength(1);
  });

  it('says in the thread why a capped search stopped', async () => {
    const { search, deps } = await seeded();
    // The second generation's estimate passes the cap: the search stops after generation 1.
    await new SqliteSearchStore(rig.database, { clock: rig.clock }).update(
      search.id,
      { settings: { ...search.settings, maxUsd: 0.9 } },
      { ifVersion: search.version + 1 },
    );
    const done = await driveSearch(rig.deps({ onChange: (s) => showSearchInThread(deps, s.id) }), search.id);
    expect(done?.state).toBe('capped');
    expect(done?.generations.filter((g) => g.judged)).toHaveLength(1);
    expect(done?.endReason).toContain('generation 2');
    const summary = inThread().find((m) => String(m.text).startsWith('Evolve finished'));
    expect(textOf(summary ?? {})).toContain('capped');
    expect(textOf(summary ?? {})).toContain(done?.endReason ?? 'no reason');
  });
});
