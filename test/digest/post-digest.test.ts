import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  claimDigestDay,
  CLAIM_STALE_MS,
  type DigestRecord,
  digestKey,
} from '../../src/digest/digest-claim.js';
import { DIGEST_EVENT, postDigestNow, postScheduledDigest } from '../../src/digest/post-digest.js';
import type { CoordinationStore } from '../../src/ports/coordination-store.js';
import { embeddedCoreDeps, type EmbeddedCoreDeps } from '../support/embedded-core-deps.js';
import { countEventLoopTurns } from '../support/event-loop-turns.js';
import { ingestAccepted } from '../support/sample-papers.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';

const MINUTE = 60_000;
let slack: SlackFake;
let harness: EmbeddedCoreDeps;

beforeEach(async () => {
  slack = await startSlackFake();
  harness = embeddedCoreDeps(slack, { env: { TIMEZONE: 'UTC' } });
});
afterEach(async () => {
  harness.close();
  await slack.close();
});

const digests = () =>
  slack
    .messages({ channel: slack.identity.defaultChannel })
    .filter((m) => (m.metadata as { event_type?: string } | undefined)?.event_type === DIGEST_EVENT);

const record = async () =>
  (await harness.deps.coordination.get<DigestRecord>(digestKey('2026-11-23')))?.value;

/** A coordination store whose "posted" write fails: the process dies right after the post reached Slack. */
function dyingAfterPost(store: CoordinationStore): CoordinationStore {
  const wrapped = Object.create(store) as CoordinationStore;
  wrapped.put = async (key, value, options) => {
    if ((value as DigestRecord).state === 'posted') throw new Error('process killed');
    return store.put(key, value, options);
  };
  return wrapped;
}

describe('postScheduledDigest: one digest per local day', () => {
  it('posts once when two replicas fire at the same moment, and records the ts', async () => {
    await ingestAccepted(harness.deps.papers, 1);
    const outcomes = await Promise.all([
      postScheduledDigest(harness.deps, 'replica-a'),
      postScheduledDigest(harness.deps, 'replica-b'),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['busy', 'posted']);
    const [digest] = digests();
    expect(digests()).toHaveLength(1);
    expect(await record()).toMatchObject({ state: 'posted', ts: digest?.ts });
    const call = slack.calls('chat.postMessage')[0];
    // The WebClient form-encodes arguments, so Slack (and the fake) sees the flags as strings.
    expect(call?.args).toMatchObject({ unfurl_links: 'false', unfurl_media: 'false' });
    expect(digest?.metadata).toEqual({
      event_type: DIGEST_EVENT,
      event_payload: { day: '2026-11-23', kind: 'scheduled' },
    });

    harness.clock.advance(3 * 3_600_000);
    expect((await postScheduledDigest(harness.deps, 'replica-a')).kind).toBe('already_done');
    expect(digests()).toHaveLength(1);
  });

  it('does not lose the day when the claimant dies between claim and post', async () => {
    await claimDigestDay(harness.deps.coordination, '2026-11-23', 'dead-process', harness.clock.now());
    harness.clock.advance(MINUTE);
    const early = await postScheduledDigest(harness.deps, 'restarted');
    expect(early).toEqual({
      kind: 'busy',
      retryAt: new Date(Date.parse('2026-11-23T09:00:00Z') + CLAIM_STALE_MS),
    });
    expect(digests()).toHaveLength(0);

    harness.clock.advance(CLAIM_STALE_MS);
    const late = await postScheduledDigest(harness.deps, 'restarted');
    expect(late.kind).toBe('posted');
    expect(digests()).toHaveLength(1);
    // Taking over looked in the channel first (a crash after the post would have left a digest there).
    expect(slack.calls('conversations.history')).toHaveLength(1);
  });

  it('does not post twice when the claimant dies after the post but before recording it', async () => {
    const dying = { ...harness.deps, coordination: dyingAfterPost(harness.deps.coordination) };
    await expect(postScheduledDigest(dying, 'dying')).rejects.toThrow('process killed');
    expect(digests()).toHaveLength(1);
    expect(await record()).toMatchObject({ state: 'claimed', holder: 'dying' });

    harness.clock.advance(CLAIM_STALE_MS + MINUTE);
    const outcome = await postScheduledDigest(harness.deps, 'restarted');
    expect(outcome).toMatchObject({ kind: 'recovered', ts: digests()[0]?.ts });
    expect(digests()).toHaveLength(1);
    expect(await record()).toMatchObject({ state: 'posted', ts: digests()[0]?.ts });
  });

  it('gives the claim back when Slack refuses the post, so the next attempt need not wait', async () => {
    slack.failNext('chat.postMessage', { body: { ok: false, error: 'channel_not_found' } });
    await expect(postScheduledDigest(harness.deps, 'a')).rejects.toThrow();
    expect(await record()).toBeUndefined();
    expect((await postScheduledDigest(harness.deps, 'a')).kind).toBe('posted');
    expect(digests()).toHaveLength(1);
  });

  it('posts one line on a quiet day, or nothing with DIGEST_QUIET_DAY=skip (and decides the day either way)', async () => {
    expect((await postScheduledDigest(harness.deps, 'a')).kind).toBe('posted');
    expect(digests()[0]?.text).toMatch(/^☀️ Quiet day \(2026-11-23\)/);
    expect(digests()[0]?.blocks).toHaveLength(1);

    harness.clock.advance(24 * 3_600_000);
    const skipping = {
      ...harness.deps,
      config: { ...harness.deps.config, digest: { schedule: '0 9 * * *', quietDay: 'skip' as const } },
    };
    expect((await postScheduledDigest(skipping, 'a')).kind).toBe('skipped_quiet');
    expect((await postScheduledDigest(skipping, 'b')).kind).toBe('already_done');
    expect(digests()).toHaveLength(1);
  });
});

describe('postDigestNow', () => {
  it('posts whenever asked, says who asked, and leaves the scheduled day unclaimed', async () => {
    await ingestAccepted(harness.deps.papers, 2);
    await postDigestNow(harness.deps, 'U0APPROVER1');
    await postDigestNow(harness.deps, 'U0APPROVER1');
    expect(digests()).toHaveLength(2);
    expect(JSON.stringify(digests()[0]?.blocks)).toContain('Posted now for <@U0APPROVER1>');
    expect(await record()).toBeUndefined();
    expect((await postScheduledDigest(harness.deps, 'a')).kind).toBe('posted');
  });

  it('builds the digest in one turn of the event loop and posts it in a later one', async () => {
    await ingestAccepted(harness.deps.papers, 2);
    const turns = countEventLoopTurns();
    let turnsAtPost = -1;
    const chat = Object.create(harness.deps.chat) as typeof harness.deps.chat;
    chat.post = async (message) => {
      turnsAtPost = turns.turns();
      return harness.deps.chat.post(message);
    };
    // The embedded store answers in microtasks: without the turn, the post would come before any.
    await postDigestNow({ ...harness.deps, chat }, 'U0APPROVER1');
    turns.stop();
    expect(turnsAtPost).toBeGreaterThanOrEqual(1);
    expect(digests()).toHaveLength(1);
  });
});
