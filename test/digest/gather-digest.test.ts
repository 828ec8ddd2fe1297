import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CANDIDATES_SHOWN, gatherDigest } from '../../src/digest/gather-digest.js';
import { embeddedCoreDeps, type EmbeddedCoreDeps } from '../support/embedded-core-deps.js';
import { ingestAccepted } from '../support/sample-papers.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';

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

/**
 * The digest's candidates are ranked in the store now (issue 14, item 3); what the digest says of them must not
 * change: the best accepted papers without a thread, best first, and how many there are in all.
 */
describe('gatherDigest: candidates', () => {
  it('lists the best accepted papers without a thread, best first, at most the number shown, and counts all', async () => {
    const { papers } = harness.deps;
    const relevance = [4, 9, 6, 10, 2, 7, 8, 3, 5, 1, 6];
    const accepted = [];
    for (const [n, score] of relevance.entries())
      accepted.push(await ingestAccepted(papers, n, { relevance: score }));
    // The best one already has a thread: it is neither shown nor counted.
    const threaded = accepted[3]!;
    await papers.update(threaded.id, { thread: { channel: 'C0SHERPA001', ts: '1700000000.000100' } });

    const data = await gatherDigest(harness.deps);

    const expected = accepted
      .filter((paper) => paper.id !== threaded.id)
      .sort((a, b) => (b.verdict?.relevance ?? 0) - (a.verdict?.relevance ?? 0) || a.id.localeCompare(b.id))
      .slice(0, CANDIDATES_SHOWN);
    expect(data.candidatesTotal).toBe(relevance.length - 1);
    expect(data.candidates.map((paper) => paper.verdict?.relevance)).toEqual([9, 8, 7, 6, 6, 5, 4, 3]);
    expect(data.candidates.map((paper) => paper.id)).toEqual(expected.map((paper) => paper.id));
    expect(data.candidates[0]).toEqual(await papers.get(accepted[1]!.id));
  });
});
