import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postThreads, startThreadPoster } from '../../jobs/post-threads.js';
import { embeddedCoreDeps, type EmbeddedCoreDeps } from '../support/embedded-core-deps.js';
import { ingestAccepted } from '../support/sample-papers.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';

let slack: SlackFake;
let harness: EmbeddedCoreDeps;

beforeEach(async () => {
  slack = await startSlackFake();
  harness = embeddedCoreDeps(slack, { env: { MAX_THREADS_PER_DAY: '3' } });
});
afterEach(async () => {
  harness.close();
  await slack.close();
});

describe('postThreads', () => {
  it('opens at most MAX_THREADS_PER_DAY threads a day, best first; the rest wait', async () => {
    const scores = [
      { relevance: 7, novelty: 5 },
      { relevance: 10, novelty: 9 },
      { relevance: 8, novelty: 8, feasibility: { verdict: 'no' as const, reason: 'custom CUDA kernels' } },
      { relevance: 9, novelty: 6 },
      { relevance: 8, novelty: 7 },
    ];
    const papers = [];
    for (const [n, verdict] of scores.entries())
      papers.push(await ingestAccepted(harness.deps.papers, n, verdict));

    const report = await postThreads(harness.deps);

    // 10+9+0=19 > 9+6=15 ≥ 8+7=15 (same score, earlier id) > 8+8-2=14 > 7+5=12
    expect(report.opened).toHaveLength(3);
    expect(report.opened[0]).toBe(papers[1]?.id);
    expect(new Set(report.opened)).toEqual(new Set([papers[1]?.id, papers[3]?.id, papers[4]?.id]));
    expect(new Set(report.waiting)).toEqual(new Set([papers[0]?.id, papers[2]?.id]));
    expect(slack.calls('chat.postMessage')).toHaveLength(3);

    // Running again the same day (another replica, a restart) opens nothing more.
    const again = await postThreads(harness.deps);
    expect(again.opened).toEqual([]);
    expect(slack.calls('chat.postMessage')).toHaveLength(3);
  });

  it('counts the day in the configured time zone and leaves older verdicts to the digest', async () => {
    // 23:30 UTC on the 23rd is already the 24th in Berlin.
    harness.clock.advance(14.5 * 3_600_000);
    for (let n = 0; n < 4; n += 1)
      await ingestAccepted(harness.deps.papers, n, {}, '2026-11-23T23:00:00.000Z');
    await ingestAccepted(harness.deps.papers, 9, {}, '2026-11-22T12:00:00.000Z');
    const report = await postThreads(harness.deps);
    expect(report.opened).toHaveLength(3);
    expect(report.waiting).toHaveLength(1);
    expect(await harness.deps.coordination.get('threads-per-day/2026-11-24')).toBeDefined();
  });

  it('gives the slot back when Slack refuses a post, and opens it on the next run', async () => {
    const paper = await ingestAccepted(harness.deps.papers, 0);
    slack.failNext('chat.postMessage', { body: { ok: false, error: 'ratelimited' } });
    const first = await postThreads(harness.deps);
    expect(first.failed).toEqual([{ paperId: paper.id, error: expect.any(String) }]);
    const second = await postThreads(harness.deps);
    expect(second.opened).toEqual([paper.id]);
  });
});

describe('startThreadPoster', () => {
  const rootPosts = () =>
    slack.calls('chat.postMessage').filter((call) => call.args.thread_ts === undefined).length;

  it('posts at once when nudged after a judge round, without waiting for its timer', async () => {
    await ingestAccepted(harness.deps.papers, 0);
    const poster = startThreadPoster(harness.deps, { intervalMs: 3_600_000, nudgeGapMs: 0 });
    try {
      await expect.poll(rootPosts, { timeout: 10_000 }).toBe(1);
      // A paper accepted after that round waits for the hour-long timer, until the judge's round nudges.
      await ingestAccepted(harness.deps.papers, 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(rootPosts()).toBe(1);
      poster.nudge();
      await expect.poll(rootPosts, { timeout: 10_000 }).toBe(2);
    } finally {
      await poster.stop();
    }
  });

  it('runs one more round for a nudge that came while a round was running', async () => {
    await ingestAccepted(harness.deps.papers, 0);
    let rounds = 0;
    // Set once the poster starts; the store below nudges it from inside its first round.
    const started: { poster?: ReturnType<typeof startThreadPoster> } = {};
    const papers = Object.create(harness.deps.papers) as typeof harness.deps.papers;
    papers.listByState = async (...args) => {
      rounds += 1;
      const listed = await harness.deps.papers.listByState(...args);
      // Just after the first round read the store, the judge accepts another paper and nudges.
      if (rounds === 1) {
        await ingestAccepted(harness.deps.papers, 1);
        started.poster?.nudge();
      }
      return listed;
    };
    const poster = startThreadPoster({ ...harness.deps, papers }, { intervalMs: 3_600_000, nudgeGapMs: 0 });
    started.poster = poster;
    try {
      await expect.poll(rootPosts, { timeout: 10_000 }).toBe(2);
      expect(rounds).toBe(2);
    } finally {
      await poster.stop();
    }
  });
});
