import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SlackChat } from '../../src/adapters/slack/index.js';
import { SqliteSearchStore } from '../../src/adapters/embedded/index.js';
import { driveSearch } from '../../src/evolve/drive-search.js';
import { showSearchInThread } from '../../src/evolve/search-thread.js';
import type { SearchThreadDeps } from '../../src/evolve/search-thread-deps.js';
import { STALE_UPLOAD_MS } from '../../src/evolve/upload-once.js';
import type { Chat } from '../../src/ports/chat.js';
import type { SearchStore } from '../../src/ports/search-store.js';
import type { SlackFake } from '../support/slack-fake/index.js';
import { searchRig, type SearchRig } from './search-rig.js';
import { paperThread, seedInThread, threadDeps, twoGenerationSummary } from './search-thread-fixture.js';

/**
 * The files a search puts in its thread (the plot, the best train.py, the TSV) are there exactly once, whatever
 * step of the upload a crash cuts: through the real Slack adapter and the protocol-level Slack fake, with the
 * crash injected at each step, and a "new process" (fresh ports on the same store) resuming after the
 * evolve queue would hand the search over.
 */

let rig: SearchRig;
let slack: SlackFake;
let chat: SlackChat;
let store: SqliteSearchStore;
let threadTs: string;

beforeEach(async () => {
  rig = searchRig({ summary: twoGenerationSummary });
  store = new SqliteSearchStore(rig.database, { clock: rig.clock });
  ({ slack, chat, threadTs } = await paperThread());
});
afterEach(async () => {
  rig.close();
  await slack.close();
});

/** A search driven to its end with nothing shown yet: the next show posts the board, a plot and the summary. */
async function finishedSearch() {
  const search = await seedInThread(rig, store, { channel: slack.identity.defaultChannel, ts: threadTs });
  const done = await driveSearch(rig.deps(), search.id);
  expect(done?.state).toBe('finished');
  return done!;
}

function deps(overrides: Partial<SearchThreadDeps> = {}): SearchThreadDeps {
  return { ...threadDeps(rig, store, chat), renderPlot: async () => Buffer.from('png'), ...overrides };
}

/** The thread's messages that share a file of this name. */
function sharesOf(filename: string) {
  const named = new Set(
    slack
      .uploads()
      .filter((u) => u.filename === filename)
      .map((u) => u.fileId),
  );
  return slack.messages({ threadTs }).filter((m) => m.fileIds.some((id) => named.has(id)));
}

/** A Chat whose upload of `filename` dies before the call, or after Slack answered (the record never follows). */
function dyingChat(filename: string, when: 'before' | 'after'): Chat {
  const dying = Object.create(chat) as Chat;
  dying.uploadFile = async (upload) => {
    if (upload.filename === filename && when === 'before') throw new Error('killed');
    const answer = await chat.uploadFile(upload);
    if (upload.filename === filename) throw new Error('killed');
    return answer;
  };
  return dying;
}

/** The bot that takes the search over comes after the queue's visibility timeout: the upload is stale by then. */
async function resumeLater(searchId: string) {
  rig.clock.advance(STALE_UPLOAD_MS + 1_000);
  await showSearchInThread(deps(), searchId);
}

describe('a file in the thread after a crash during its upload', () => {
  const cases = [
    ['the plot', (id: string) => `evolve-${id}-g2.png`],
    ["the best variant's train.py", (id: string) => `train-${id}.g1.v1.py`],
    ['the TSV', (id: string) => `evolve-${id}.tsv`],
  ] as const;
  const steps = [
    ['after its intent is recorded, before the upload', 'before'],
    ['after Slack took it, before it is recorded', 'after'],
  ] as const;

  for (const [what, nameOf] of cases) {
    for (const [step, crash] of steps) {
      it(`${what} is there exactly once when the bot dies ${step}`, async () => {
        const search = await finishedSearch();
        const filename = nameOf(search.id);
        await expect(
          showSearchInThread(deps({ chat: dyingChat(filename, crash) }), search.id),
        ).rejects.toThrow('killed');
        // A retry at once (the same bot's next step) leaves a fresh intent alone: it may still be under way.
        await expect(showSearchInThread(deps(), search.id)).rejects.toThrow(/looking again later/);
        expect(sharesOf(filename)).toHaveLength(crash === 'before' ? 0 : 1);

        await resumeLater(search.id);
        expect(sharesOf(filename)).toHaveLength(1);
        const record = (await store.get(search.id))?.threadFiles?.[filename];
        expect(record).toMatchObject({
          attempts: crash === 'before' ? 2 : 1,
          uploadedAt: expect.any(String),
        });
        expect(record?.fileId).toBe(sharesOf(filename)[0]?.fileIds[0]);
        // Every file is up once, and showing the search again changes nothing.
        await resumeLater(search.id);
        for (const [, other] of cases) expect(sharesOf(other(search.id))).toHaveLength(1);
        expect(slack.uploads().filter((u) => u.completed)).toHaveLength(3);
        expect((await store.get(search.id))?.summaryFilesAt).toEqual(expect.any(String));
      });
    }
  }

  it('is there exactly once when the upload dies between the upload URL and its completion', async () => {
    const search = await finishedSearch();
    const plot = `evolve-${search.id}-g2.png`;
    // The bytes went up; completing the upload into the thread failed without an answer (a 500).
    slack.failNext('files.completeUploadExternal', { status: 500 });
    await expect(showSearchInThread(deps(), search.id)).rejects.toThrow();
    expect(slack.uploads().filter((u) => u.filename === plot)).toMatchObject([{ completed: false }]);
    expect(sharesOf(plot)).toHaveLength(0);
    await resumeLater(search.id);
    expect(sharesOf(plot)).toHaveLength(1);
    expect((await store.get(search.id))?.threadFiles?.[plot]).toMatchObject({ attempts: 2 });
  });

  it('is not uploaded again when Slack refused it: nothing was shared, so no look is needed', async () => {
    const search = await finishedSearch();
    const plot = `evolve-${search.id}-g2.png`;
    slack.failNext('files.completeUploadExternal', { body: { ok: false, error: 'not_in_channel' } });
    await expect(showSearchInThread(deps(), search.id)).rejects.toThrow();
    expect((await store.get(search.id))?.threadFiles?.[plot]).toBeUndefined();
    await showSearchInThread(deps(), search.id);
    expect(sharesOf(plot)).toHaveLength(1);
    expect((await store.get(search.id))?.threadFiles?.[plot]).toMatchObject({ attempts: 1 });
  });

  it('records the plot once even when the bot dies after the file is recorded', async () => {
    const search = await finishedSearch();
    const plot = `evolve-${search.id}-g2.png`;
    let crashed = false;
    const dying = Object.create(store) as SearchStore;
    dying.update = async (id, patch, options) => {
      if (patch.plottedGeneration && !crashed) {
        crashed = true;
        throw new Error('killed');
      }
      return store.update(id, patch, options);
    };
    await expect(showSearchInThread(deps({ searches: dying }), search.id)).rejects.toThrow('killed');
    await showSearchInThread(deps(), search.id);
    expect(sharesOf(plot)).toHaveLength(1);
    expect((await store.get(search.id))?.plottedGeneration).toBe(2);
    expect((await store.get(search.id))?.threadFiles?.[plot]).toMatchObject({ attempts: 1 });
  });

  it('says so in the thread, and uploads nothing, when it cannot look for an interrupted upload', async () => {
    const search = await finishedSearch();
    const plot = `evolve-${search.id}-g2.png`;
    await expect(showSearchInThread(deps({ chat: dyingChat(plot, 'after') }), search.id)).rejects.toThrow(
      'killed',
    );
    slack.failNext('conversations.replies', {
      body: { ok: false, error: 'missing_scope', needed: 'channels:history' },
    });
    rig.clock.advance(STALE_UPLOAD_MS + 1_000);
    await showSearchInThread(deps(), search.id);
    expect(sharesOf(plot)).toHaveLength(1);
    const notes = slack.messages({ threadTs }).filter((m) => String(m.text).includes(plot));
    expect(notes).toHaveLength(1);
    expect(notes[0]?.text).toContain('could not look in this thread');
    expect(notes[0]?.text).toContain('missing_scope');
    expect((await store.get(search.id))?.threadFiles?.[plot]?.unprovenAt).toEqual(expect.any(String));
    // Settled: showing the search again neither uploads nor repeats the note.
    await showSearchInThread(deps(), search.id);
    expect(sharesOf(plot)).toHaveLength(1);
    expect(slack.messages({ threadTs }).filter((m) => String(m.text).includes(plot))).toHaveLength(1);
  });

  it('waits, rather than uploads, while Slack cannot be asked (a 5xx on the look)', async () => {
    const search = await finishedSearch();
    const tsv = `evolve-${search.id}.tsv`;
    await expect(showSearchInThread(deps({ chat: dyingChat(tsv, 'before') }), search.id)).rejects.toThrow(
      'killed',
    );
    rig.clock.advance(STALE_UPLOAD_MS + 1_000);
    slack.failNext('conversations.replies', { status: 503 });
    await expect(showSearchInThread(deps(), search.id)).rejects.toThrow(/could not look for/);
    expect(sharesOf(tsv)).toHaveLength(0);
    await showSearchInThread(deps(), search.id);
    expect(sharesOf(tsv)).toHaveLength(1);
    expect((await store.get(search.id))?.threadFiles?.[tsv]).toMatchObject({ attempts: 2 });
  });
});
