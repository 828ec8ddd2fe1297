import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { feasibilityOf } from '../../src/judge/decide.js';
import { judgePapers } from '../../src/judge/index.js';
import {
  accessDenied,
  maxTokens,
  refusal,
  startFakeBedrock,
  throttle,
  toolUse,
  type FakeBedrock,
} from '../support/fake-bedrock.js';
import { createFakeBedrockLlm } from '../support/fake-bedrock-llm.js';
import { judgedPapersIn, judgeReply, judgeReplyWithout, verdictFor } from '../support/fake-judge-replies.js';
import { ACCEPTED_PAPERS, IRRELEVANT_PAPERS, scrapedPaper } from '../support/judge-fixtures.js';
import { judgeHarness, type JudgeHarness } from '../support/judge-harness.js';
import type { RecordingLedger } from '../support/recording-ledger.js';

const relevantTitle = (t: string) => /attention|transformer|quantiz|inference|llm|language model/i.test(t);
const RELEVANT = ACCEPTED_PAPERS.filter((p) => relevantTitle(p.title));
const PHYSICS = IRRELEVANT_PAPERS.filter((p) => /luttinger|lattice|helium|superfluid/i.test(p.title));

describe('judgePapers against the fake Bedrock', () => {
  let fake: FakeBedrock;
  let harness: JudgeHarness;
  let ledger: RecordingLedger;

  beforeEach(async () => {
    fake = await startFakeBedrock();
    const built = createFakeBedrockLlm(fake);
    ledger = built.ledger as RecordingLedger;
    harness = judgeHarness(built.llm);
  });
  afterEach(async () => {
    harness.close();
    await fake.close();
  });

  async function ingest(papers: Array<{ title: string; abstract: string }>, start = 0): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, paper] of papers.entries()) {
      const outcome = await harness.papers.ingest(scrapedPaper(paper, start + i));
      ids.push(outcome.paper.id);
    }
    return ids;
  }

  it('filters irrelevant papers without a call and judges the rest in one batched call', async () => {
    const relevant = await ingest(RELEVANT.slice(0, 5));
    const irrelevant = await ingest(PHYSICS.slice(0, 3), 100);
    fake.respondWith(judgeReply);

    const outcomes = await judgePapers(harness.deps, [...relevant, ...irrelevant]);

    expect(fake.requests).toHaveLength(1);
    const judgedTitles = judgedPapersIn(fake.requests[0]!).map((p) => p.title);
    expect(judgedTitles).toEqual(RELEVANT.slice(0, 5).map((p) => p.title));

    for (const id of irrelevant) {
      const paper = await harness.papers.get(id);
      expect(paper?.state).toBe('filtered');
      expect(paper?.verdict?.decidedBy).toBe('prefilter');
      expect(paper?.verdict?.rationale).toMatch(/without an LLM call/);
      const audit = await harness.papers.audit(id);
      expect(audit.map((a) => [a.actor, a.from, a.to])).toEqual([['system:judge', 'scraped', 'filtered']]);
    }
    for (const [index, id] of relevant.entries()) {
      const paper = await harness.papers.get(id);
      const expected = verdictFor(`P${index + 1}`, paper!.title);
      const accept = expected.relevance >= 7 && expected.novelty >= 5 && expected.trainium === 'yes';
      expect(paper?.state).toBe(accept ? 'accepted' : 'judge_rejected');
      expect(paper?.verdict).toMatchObject({
        decidedBy: 'llm',
        relevance: expected.relevance,
        novelty: expected.novelty,
        feasibility: feasibilityOf(expected.trainium),
        rationale: expected.rationale,
        smallestExperiment: expected.smallestExperiment,
        modelId: harness.config.bedrock.judgeModelId,
      });
    }
    expect(outcomes.map((o) => o.kind).sort()).toEqual(
      expect.arrayContaining(['filtered', 'filtered', 'filtered']),
    );
    // One ledger entry per judged paper, none for the filtered ones.
    expect(ledger.recorded.map((e) => e.paperId).sort()).toEqual([...relevant].sort());
    expect(ledger.recorded.every((e) => e.purpose === 'judge')).toBe(true);
    fake.assertDone();
  });

  it('shows the most similar indexed papers once, by key, and stores what each paper was compared with', async () => {
    const indexed = await ingest(RELEVANT.slice(10, 30), 200);
    const [target] = await ingest([RELEVANT[0]!], 300);
    fake.respondWith(judgeReply);

    await judgePapers(harness.deps, [target!]);

    const text = fake.requests[0]!.body.messages[0].content[0].text as string;
    expect(text).toMatch(/^Indexed papers:\nS1 /);
    const similarLine = /^Similar: (.*)$/m.exec(text)?.[1] ?? '';
    expect(similarLine.split(' ').length).toBeGreaterThan(0);
    expect(similarLine.split(' ').length).toBeLessThanOrEqual(5);
    const paper = await harness.papers.get(target!);
    expect(paper?.verdict?.comparedWith.length).toBe(similarLine.split(' ').length);
    expect(paper?.verdict?.comparedWith.every((id) => indexed.includes(id))).toBe(true);
  });

  it('keeps the average input under 750 tokens per judged paper in full batches', async () => {
    const ids = await ingest(RELEVANT.slice(0, 16));
    await ingest(RELEVANT.slice(20, 40), 500);
    fake.respondWith(judgeReply);

    await judgePapers(harness.deps, ids, { batchSize: 8 });

    const input = ledger.recorded.reduce(
      (sum, e) => sum + (e.inputTokens ?? 0) + (e.cacheReadTokens ?? 0) + (e.cacheWriteTokens ?? 0),
      0,
    );
    expect(fake.requests).toHaveLength(2);
    expect(input / ids.length).toBeLessThanOrEqual(750);
  });

  it('stores the verdicts of a reply that leaves papers out and judges each missing paper alone', async () => {
    const ids = await ingest(RELEVANT.slice(0, 4));
    const leavesTwoOut = judgeReplyWithout('P2', 'P4');
    fake.respondWith((request) => (fake.requests.length === 1 ? leavesTwoOut(request) : judgeReply(request)));

    const outcomes = await judgePapers(harness.deps, ids);

    // One batch call, then one call for each missing paper; no repair call resends the whole batch.
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests.map((r) => judgedPapersIn(r).length)).toEqual([4, 1, 1]);
    expect(fake.requests.every((r) => r.body.messages.length === 1)).toBe(true);
    const alone = fake.requests.slice(1).map((r) => judgedPapersIn(r)[0]!.title);
    expect(alone.sort()).toEqual([RELEVANT[1]!.title, RELEVANT[3]!.title].sort());
    expect(outcomes.map((o) => o.paperId).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect(['accepted', 'judge_rejected']).toContain((await harness.papers.get(id))?.state);
      // Each paper's transition happened once: no paper was judged twice.
      expect(await harness.papers.audit(id)).toHaveLength(1);
    }
    // Every call is in the ledger against the papers it served.
    expect(ledger.recorded.map((e) => e.paperId).sort()).toEqual([...ids, ids[1]!, ids[3]!].sort());
    fake.assertDone();
  });

  it('sends a reply that repeats or invents a paper back for repair, then retries an unusable batch paper by paper', async () => {
    const ids = await ingest(RELEVANT.slice(0, 3));
    let call = 0;
    fake.respondWith((request) => {
      call += 1;
      // The batch answers a paper it was not given, twice; then each paper alone, the second one refused.
      if (call <= 2) {
        return toolUse({ verdicts: [verdictFor('P1', 'x'), verdictFor('P2', 'y'), verdictFor('P9', 'z')] });
      }
      const [only] = judgedPapersIn(request);
      return only?.title.startsWith(RELEVANT[1]!.title) ? refusal() : judgeReply(request);
    });

    const outcomes = await judgePapers(harness.deps, ids);

    expect(fake.requests).toHaveLength(5);
    expect(fake.requests[1]!.body.messages[2].content[0].toolResult.content[0].text).toMatch(
      /not in the message: P9/,
    );
    const failed = await harness.papers.get(ids[1]!);
    expect(failed?.state).toBe('judge_failed');
    expect(failed?.lastNote).toMatch(/declined to answer/);
    expect(outcomes.filter((o) => o.kind === 'judge_failed')).toHaveLength(1);
    for (const id of [ids[0]!, ids[2]!]) {
      expect(['accepted', 'judge_rejected']).toContain((await harness.papers.get(id))?.state);
    }
  });

  it('records a truncated reply as judge_failed with a note, and judges the paper on retry', async () => {
    const [id] = await ingest([RELEVANT[0]!]);
    fake.enqueue(maxTokens({ verdicts: [] }));

    const [first] = await judgePapers(harness.deps, [id!]);
    expect(first?.kind).toBe('judge_failed');
    const failed = await harness.papers.get(id!);
    expect(failed?.state).toBe('judge_failed');
    expect(failed?.lastNote).toMatch(/cut off/);

    fake.respondWith(judgeReply);
    const [second] = await judgePapers(harness.deps, [id!]);
    expect(['accepted', 'judge_rejected']).toContain(second?.kind);
    const audit = await harness.papers.audit(id!);
    expect(audit.map((a) => `${a.from}->${a.to}`)).toEqual([
      'scraped->judge_failed',
      `judge_failed->${second?.kind}`,
    ]);
  });

  it('defers without touching the paper when the model is not enabled', async () => {
    const [id] = await ingest([RELEVANT[0]!]);
    fake.enqueue(accessDenied());
    const [outcome] = await judgePapers(harness.deps, [id!]);
    expect(outcome?.kind).toBe('deferred');
    expect((await harness.papers.get(id!))?.state).toBe('scraped');
    expect(await harness.papers.audit(id!)).toEqual([]);
  });

  it('rides out throttling inside the adapter', async () => {
    const [id] = await ingest([RELEVANT[0]!]);
    fake.enqueue(throttle(), throttle());
    fake.respondWith(judgeReply);
    const [outcome] = await judgePapers(harness.deps, [id!]);
    expect(['accepted', 'judge_rejected']).toContain(outcome?.kind);
    expect(fake.requests).toHaveLength(3);
  });

  it('never pre-filters a paper on its title alone', async () => {
    const [id] = await ingest([
      { title: 'Bandit learning in matching markets with indifference', abstract: '' },
    ]);
    fake.respondWith(judgeReply);
    const [outcome] = await judgePapers(harness.deps, [id!]);
    expect(['accepted', 'judge_rejected']).toContain(outcome?.kind);
    expect(fake.requests).toHaveLength(1);
    expect((await harness.papers.get(id!))?.verdict?.prefilterScore).toBe(0);
  });

  it('skips papers that are unknown or already judged', async () => {
    const [id] = await ingest([RELEVANT[0]!]);
    fake.respondWith(judgeReply);
    await judgePapers(harness.deps, [id!]);
    const again = await judgePapers(harness.deps, [id!, 'p_doesnotexist']);
    expect(again.map((o) => o.kind)).toEqual(['skipped', 'skipped']);
    expect(fake.requests).toHaveLength(1);
  });
});
