import { SlackChat } from '../../src/adapters/slack/index.js';
import type { EvolveSearch } from '../../src/domain/evolve-search.js';
import type { SearchThreadDeps } from '../../src/evolve/search-thread-deps.js';
import { createLogger } from '../../src/logging/logger.js';
import type { SearchStore } from '../../src/ports/search-store.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';
import type { SearchRig } from './search-rig.js';

/**
 * What the thread tests share: a 3 × 2 search whose runs report these val_loss figures (g1.v1 is the clear
 * winner; generation 2 adds nothing beyond the noise), and a paper's thread through the real Slack adapter and
 * the protocol-level Slack fake.
 */
const METRICS: Record<string, number> = {
  'g1.p0': 2.05,
  'g1.v0': 1.99,
  'g1.v1': 1.7,
  'g1.v2': 2.2,
  'g2.p0': 1.72,
  'g2.v0': 1.69,
  'g2.v1': 1.9,
  'g2.v2': 1.8,
};

/** The run summary `searchRig` reports for a variant's run id. */
export const twoGenerationSummary = (runId: string) => {
  const key = /\.(g\d\.[pv]\d)\.run$/.exec(runId)?.[1];
  return key && METRICS[key] !== undefined ? { val_loss: METRICS[key] } : undefined;
};

export const silentLogger = createLogger({ level: 'silent' });

/** A Slack fake, the real adapter on it (no retries) and a paper's thread root. */
export async function paperThread(): Promise<{ slack: SlackFake; chat: SlackChat; threadTs: string }> {
  const slack = await startSlackFake();
  const chat = new SlackChat({
    token: slack.identity.botToken,
    apiUrl: slack.apiUrl,
    logger: silentLogger,
    retryConfig: { retries: 0 },
  });
  const threadTs = (await chat.post({ channel: slack.identity.defaultChannel, text: 'A paper' })).ts;
  return { slack, chat, threadTs };
}

/** The rig's search, seeded, then given this paper thread (as a search started from the thread has it). */
export async function seedInThread(
  rig: SearchRig,
  searches: SearchStore,
  thread: { channel: string; ts: string },
): Promise<EvolveSearch> {
  const search = await rig.seed();
  await searches.update(search.id, { thread }, { ifVersion: search.version });
  return search;
}

/** What showing a search in its thread reads and writes, on the rig's stores and clock and this chat. */
export function threadDeps(rig: SearchRig, searches: SearchStore, chat: SlackChat): SearchThreadDeps {
  return {
    searches,
    papers: { get: async () => undefined },
    chat,
    blobs: rig.blobs,
    ledger: rig.ledger,
    clock: rig.clock,
    logger: silentLogger,
  };
}
