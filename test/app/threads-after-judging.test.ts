import { afterEach, describe, expect, it } from 'vitest';
import { isThreadRoot, startScrapeToThread, type ScrapeToThread } from '../support/scrape-to-thread.js';

/**
 * Threads right after judging (issue 11, item 6): `/scrape` of a small venue through the Slack fake, the judge on
 * the Bedrock fake, and the first thread root appears once the judge round that accepted a paper ends, not at
 * the thread poster's next 5-minute round. No timing is asserted: the poster's first round ran at boot, before
 * any paper existed, and its next is 5 minutes away, so a root within the minute this test waits can only come
 * from the end-of-round nudge (the time itself is what `npm run bench` reports).
 */
describe('threads after judging, end to end', () => {
  let run: ScrapeToThread | undefined;
  afterEach(async () => {
    await run?.stop();
    run = undefined;
  });

  it('posts the first thread root when the judge round that accepted it ends', async () => {
    run = await startScrapeToThread({ papers: 12, modelLatencyMs: 50 });
    const { sherpa } = run;
    // The poster's boot round has started (nothing to post yet); from now on only a nudge posts for 5 minutes.
    await expect
      .poll(() => sherpa.logs.text().includes('judge worker started'), { timeout: 30_000 })
      .toBe(true);

    const { root } = await run.firstThread({ timeoutMs: 60_000 });

    // The root belongs to an accepted paper, which records it just after the post.
    const ts = (root.response as { ts: string }).ts;
    await expect
      .poll(
        async () =>
          (await sherpa.deps.papers.listByState(['accepted'])).some((paper) => paper.thread?.ts === ts),
        { timeout: 30_000 },
      )
      .toBe(true);
    // Everything the judge accepted got its thread, within today's quota, best first.
    await expect
      .poll(
        async () => {
          const accepted = await sherpa.deps.papers.listByState(['accepted']);
          const roots = sherpa.fake.calls('chat.postMessage').filter(isThreadRoot).length;
          return accepted.length > 0 && roots === Math.min(accepted.length, sherpa.config.threads.maxPerDay);
        },
        { timeout: 60_000, interval: 200 },
      )
      .toBe(true);
    expect(run.bedrock.requests.length).toBeGreaterThan(0);
  }, 180_000);
});
