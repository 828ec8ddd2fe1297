import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JudgeBatcher } from '../../src/judge/index.js';
import { startFakeBedrock, type FakeBedrock, type FakeReply } from '../support/fake-bedrock.js';
import { createFakeBedrockLlm } from '../support/fake-bedrock-llm.js';
import { judgedPapersIn, judgeReply, judgeReplyWithout } from '../support/fake-judge-replies.js';
import { ACCEPTED_PAPERS, scrapedPaper } from '../support/judge-fixtures.js';
import { judgeHarness, type JudgeHarness } from '../support/judge-harness.js';

const RELEVANT = ACCEPTED_PAPERS.filter((p) => /attention|transformer|quantiz|inference/i.test(p.title));

describe('the judge batcher (issue 14, item 5)', () => {
  let fake: FakeBedrock;
  let harness: JudgeHarness;
  beforeEach(async () => {
    fake = await startFakeBedrock();
    harness = judgeHarness(createFakeBedrockLlm(fake).llm);
  });
  afterEach(async () => {
    harness.close();
    await fake.close();
  });

  async function ingest(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, paper] of RELEVANT.slice(0, count).entries()) {
      ids.push((await harness.papers.ingest(scrapedPaper(paper, i))).paper.id);
    }
    return ids;
  }

  /** A responder whose replies wait until `release()`: the test decides when the call stops being in flight. */
  function heldReplies(reply: (request: Parameters<typeof judgeReply>[0]) => FakeReply) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    fake.respondWith(async (request) => {
      await released;
      return reply(request);
    });
    return release;
  }

  it('gathers papers handed over one by one into one call, and a lone paper waits only maxWaitMs', async () => {
    const ids = await ingest(4);
    fake.respondWith(judgeReply);
    const batcher = new JudgeBatcher(harness.deps, { batchSize: 3, maxWaitMs: 20 });

    const outcomes = await Promise.all(ids.map((id) => batcher.judge(id)));

    // Three fill a batch at once; the fourth goes alone after its wait (the two calls may arrive in either order).
    expect(fake.requests.map((r) => judgedPapersIn(r).length).sort()).toEqual([1, 3]);
    expect(outcomes.map((o) => o.paperId)).toEqual(ids);
    expect(outcomes.every((o) => o.kind === 'accepted' || o.kind === 'judge_rejected')).toBe(true);
  });

  it('does not judge a paper twice when its message comes again while its call is in flight', async () => {
    const ids = await ingest(2);
    const release = heldReplies(judgeReply);
    const batcher = new JudgeBatcher(harness.deps, { batchSize: 2, maxWaitMs: 20 });

    const first = ids.map((id) => batcher.judge(id));
    for (let i = 0; i < 200 && fake.requests.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(fake.requests).toHaveLength(1);
    // The redelivery (a visibility timeout, a second replica's retry click) arrives mid-call.
    const again = batcher.judge(ids[0]!);
    release();
    const [a, b, c] = await Promise.all([...first, again]);

    expect(fake.requests).toHaveLength(1);
    expect(c).toEqual(a);
    expect(b?.paperId).toBe(ids[1]);
    expect(await harness.papers.audit(ids[0]!)).toHaveLength(1);
  });

  it('hands every waiter an outcome when the reply leaves its paper out: the paper is judged alone', async () => {
    const ids = await ingest(3);
    const leavesOneOut = judgeReplyWithout('P3');
    fake.respondWith((request) => (fake.requests.length === 1 ? leavesOneOut(request) : judgeReply(request)));
    const rounds: string[][] = [];
    const batcher = new JudgeBatcher(harness.deps, {
      batchSize: 3,
      maxWaitMs: 20,
      onRoundJudged: (outcomes) => rounds.push(outcomes.map((o) => o.paperId)),
    });

    const outcomes = await Promise.all(ids.map((id) => batcher.judge(id)));

    expect(fake.requests.map((r) => judgedPapersIn(r).length)).toEqual([3, 1]);
    expect(outcomes.every((o) => o.kind === 'accepted' || o.kind === 'judge_rejected')).toBe(true);
    expect(rounds).toHaveLength(1);
    expect([...rounds[0]!].sort()).toEqual([...ids].sort());
    fake.assertDone();
  });
});
