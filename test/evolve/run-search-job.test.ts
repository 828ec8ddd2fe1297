import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteSearchStore } from '../../src/adapters/embedded/index.js';
import { SlackChat } from '../../src/adapters/slack/index.js';
import type { CoreDeps } from '../../src/deps.js';
import { runSearchJob } from '../../src/evolve/run-search-job.js';
import { createLogger } from '../../src/logging/logger.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';
import { searchRig, type SearchRig } from './search-rig.js';

let rig: SearchRig;
let slack: SlackFake;
beforeEach(async () => {
  rig = searchRig();
  slack = await startSlackFake();
});
afterEach(async () => {
  rig.close();
  await slack.close();
});

describe('an evolve job in a bot that cannot run it', () => {
  it('stops the search with the reason in its thread instead of leaving it waiting', async () => {
    const logger = createLogger({ level: 'silent' });
    const chat = new SlackChat({
      token: slack.identity.botToken,
      apiUrl: slack.apiUrl,
      logger,
      retryConfig: { retries: 0 },
    });
    const channel = slack.identity.defaultChannel;
    const thread = { channel, ts: (await chat.post({ channel, text: 'A paper' })).ts };
    const searches = new SqliteSearchStore(rig.database, { clock: rig.clock });
    const seeded = await rig.seed();
    await searches.update(seeded.id, { thread }, { ifVersion: seeded.version });
    // COMPUTE=none: no compute in the core dependencies.
    const deps = {
      searches,
      papers: { get: async () => undefined },
      chat,
      blobs: rig.blobs,
      ledger: rig.ledger,
      clock: rig.clock,
      logger,
      llm: rig.llm,
    } as unknown as CoreDeps;
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
