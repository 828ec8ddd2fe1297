import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors.js';
import { openThreadFor } from '../../src/threads/open-thread.js';
import { THREAD_ROOT_EVENT } from '../../src/threads/thread-deps.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { embeddedCoreDeps, type EmbeddedCoreDeps } from '../support/embedded-core-deps.js';
import { ingestAccepted } from '../support/sample-papers.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';

let slack: SlackFake;
let harness: EmbeddedCoreDeps;

beforeEach(async () => {
  slack = await startSlackFake();
  harness = embeddedCoreDeps(slack);
});
afterEach(async () => {
  harness.close();
  await slack.close();
});

describe('openThreadFor', () => {
  it('posts the root once, without unfurls, and records the thread on the paper', async () => {
    const paper = await ingestAccepted(harness.deps.papers, 1);
    const first = await openThreadFor(paper.id, harness.deps);
    const again = await openThreadFor(paper.id, harness.deps);

    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, thread: first.thread });
    const posts = slack.calls('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.args).toMatchObject({
      channel: slack.identity.defaultChannel,
      // Form-encoded on the wire, as the WebClient sends it.
      unfurl_links: 'false',
      unfurl_media: 'false',
      metadata: { event_type: THREAD_ROOT_EVENT, event_payload: { paper_id: paper.id } },
    });
    const root = slack.messages()[0];
    expect(JSON.stringify(root?.blocks)).toContain(ACTION_IDS.generateCode);
    expect((await harness.deps.papers.get(paper.id))?.thread).toEqual({
      channel: slack.identity.defaultChannel,
      ts: root?.ts,
    });
    expect(slack.unexpectedCalls()).toEqual([]);
  });

  it('posts exactly one root when many callers race for the same paper', async () => {
    const paper = await ingestAccepted(harness.deps.papers, 2);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => openThreadFor(paper.id, harness.deps)),
    );
    expect(slack.calls('chat.postMessage')).toHaveLength(1);
    const created = results.filter((r) => r.status === 'fulfilled' && r.value.created);
    expect(created).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(TransientError);
    }
    expect((await harness.deps.papers.get(paper.id))?.thread?.ts).toBe(slack.messages()[0]?.ts);
  });

  it('finds a root posted just before a crash instead of posting a second one', async () => {
    const paper = await ingestAccepted(harness.deps.papers, 3);
    // The crashed attempt: its marker was written and its post reached Slack, but the ts was never stored.
    await harness.deps.coordination.put(`thread-posting/${paper.id}`, {
      startedAt: '2026-11-23T09:00:00.000Z',
    });
    const crashed = await harness.deps.chat.post({
      channel: slack.identity.defaultChannel,
      text: 'root from before the crash',
      metadata: { event_type: THREAD_ROOT_EVENT, event_payload: { paper_id: paper.id } },
    });
    await harness.deps.chat.post({ channel: slack.identity.defaultChannel, text: 'unrelated' });

    const result = await openThreadFor(paper.id, harness.deps);

    expect(result).toMatchObject({ created: false, thread: { ts: crashed.ts } });
    expect(slack.calls('chat.postMessage')).toHaveLength(2);
    expect(await harness.deps.coordination.get(`thread-posting/${paper.id}`)).toBeUndefined();
  });

  it('posts when a crashed attempt never reached Slack', async () => {
    const paper = await ingestAccepted(harness.deps.papers, 4);
    await harness.deps.coordination.put(`thread-posting/${paper.id}`, {
      startedAt: '2026-11-23T09:00:00.000Z',
    });
    const result = await openThreadFor(paper.id, harness.deps);
    expect(result.created).toBe(true);
    expect(slack.calls('conversations.history')).toHaveLength(1);
    expect(slack.calls('chat.postMessage')).toHaveLength(1);
  });

  it('never posts a second root when the channel cannot be searched for an interrupted one', async () => {
    const paper = await ingestAccepted(harness.deps.papers, 6);
    await harness.deps.coordination.put(`thread-posting/${paper.id}`, {
      startedAt: '2026-11-23T09:00:00.000Z',
    });
    slack.failNext('conversations.history', { body: { ok: false, error: 'missing_scope' } });
    await expect(openThreadFor(paper.id, harness.deps)).rejects.toBeInstanceOf(TransientError);
    expect(slack.calls('chat.postMessage')).toHaveLength(0);
    expect(await harness.deps.coordination.get(`thread-posting/${paper.id}`)).toBeDefined();
  });

  it('keeps the paper without a thread when Slack refuses the post, so a later run tries again', async () => {
    const paper = await ingestAccepted(harness.deps.papers, 5);
    slack.failNext('chat.postMessage', { body: { ok: false, error: 'channel_not_found' } });
    await expect(openThreadFor(paper.id, harness.deps)).rejects.toThrow(/channel_not_found/);
    expect((await harness.deps.papers.get(paper.id))?.thread).toBeUndefined();

    const retried = await openThreadFor(paper.id, harness.deps);
    expect(retried.created).toBe(true);
  });
});
