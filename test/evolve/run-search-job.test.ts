import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteSearchStore } from '../../src/adapters/embedded/index.js';
import type { SlackChat } from '../../src/adapters/slack/index.js';
import type { CoreDeps } from '../../src/deps.js';
import { runSearchJob } from '../../src/evolve/run-search-job.js';
import type { SlackFake } from '../support/slack-fake/index.js';
import { searchRig, type SearchRig } from './search-rig.js';
import { paperThread, seedInThread, threadDeps } from './search-thread-fixture.js';

let rig: SearchRig;
let slack: SlackFake;
let chat: SlackChat;
let threadTs: string;
beforeEach(async () => {
  rig = searchRig();
  ({ slack, chat, threadTs } = await paperThread());
});
afterEach(async () => {
  rig.close();
  await slack.close();
});

describe('an evolve job in a bot that cannot run it', () => {
  it('stops the search with the reason in its thread instead of leaving it waiting', async () => {
    const thread = { channel: slack.identity.defaultChannel, ts: threadTs };
    const searches = new SqliteSearchStore(rig.database, { clock: rig.clock });
    const seeded = await seedInThread(rig, searches, thread);
    // COMPUTE=none: no compute in the core dependencies.
    const deps = { ...threadDeps(rig, searches, chat), llm: rig.llm } as unknown as CoreDeps;
    await runSearchJob(
      deps,
      { searchId: seeded.id, paperId: seeded.paperId },
      {
        pool: undefined,
        sleep: rig.clock.sleep,
        timings: { pollMs: 1, pendingLimitMs: 1, heartbeatMs: 1, busyRetryMs: 1 },
      },
    );
    const stopped = await searches.get(seeded.id);
    expect(stopped).toMatchObject({ state: 'stopped' });
    expect(stopped?.endReason).toContain('COMPUTE=none');
    expect(rig.compute.sent).toEqual([]);
    expect(rig.llm.calls).toBe(0);
    const summary = slack
      .messages({ threadTs: thread.ts })
      .find((m) => String(m.text).startsWith('Evolve finished'));
    expect(JSON.stringify(summary?.blocks)).toContain('COMPUTE=none');
  });
});
