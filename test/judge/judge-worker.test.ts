import { afterEach, describe, expect, it } from 'vitest';
import { startJudgeWorker, type JudgeWorkerOptions } from '../../jobs/judge-worker.js';
import { retryJudge } from '../../src/judge/index.js';
import {
  accessDenied,
  maxTokens,
  startFakeBedrock,
  throttle,
  type FakeBedrock,
} from '../support/fake-bedrock.js';
import { createFakeBedrockLlm } from '../support/fake-bedrock-llm.js';
import { judgedPapersIn, judgeReply } from '../support/fake-judge-replies.js';
import { ACCEPTED_PAPERS, IRRELEVANT_PAPERS, scrapedPaper } from '../support/judge-fixtures.js';
import { judgeHarness, type JudgeHarness } from '../support/judge-harness.js';
import type { RecordingLedger } from '../support/recording-ledger.js';

/** mulberry32: a seeded generator, so the throttling pattern is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the judge worker', () => {
  let fake: FakeBedrock;
  let harness: JudgeHarness;
  afterEach(async () => {
    harness?.close();
    await fake?.close();
  });

  async function enqueue(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      // Mostly real accepted papers, every fifth a plainly irrelevant one; titles made unique per copy.
      const source =
        i % 5 === 4
          ? IRRELEVANT_PAPERS[i % IRRELEVANT_PAPERS.length]!
          : ACCEPTED_PAPERS[i % ACCEPTED_PAPERS.length]!;
      const { paper } = await harness.papers.ingest(scrapedPaper(source, i, { suffix: `(copy ${i})` }));
      await harness.deps.queues.judge.send({ paperId: paper.id }, { dedupeId: paper.id, groupId: paper.id });
      ids.push(paper.id);
    }
    return ids;
  }

  /** Run the worker until the judge queue has nothing visible or in flight, then stop it. */
  async function drain(options: JudgeWorkerOptions = {}): Promise<void> {
    const worker = startJudgeWorker(harness.deps, { waitSeconds: 1, maxWaitMs: 10, ...options });
    for (let i = 0; i < 3000; i += 1) {
      const depth = await harness.deps.queues.judge.depth();
      if (depth.visible + depth.inFlight === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await worker.stop();
  }

  it('judges 200 papers exactly once through a storm of 30% throttling, losing none', async () => {
    fake = await startFakeBedrock();
    const random = seeded(42);
    let throttled = 0;
    fake.respondWith((request) => {
      if (random() < 0.3) {
        throttled += 1;
        return throttle();
      }
      return judgeReply(request);
    });
    const built = createFakeBedrockLlm(fake, { maxConcurrency: 4 });
    harness = judgeHarness(built.llm);
    const ids = await enqueue(200);

    // Small batches: more calls, so more of them meet the storm.
    await drain({ batchSize: 4 });

    expect(throttled).toBeGreaterThan(10);
    expect(throttled / fake.requests.length).toBeGreaterThan(0.2);
    const depth = await harness.deps.queues.judge.depth();
    expect(depth).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
    const counts = await harness.papers.countByState();
    expect(counts.scraped ?? 0).toBe(0);
    expect(counts.judge_failed ?? 0).toBe(0);
    expect((counts.filtered ?? 0) + (counts.accepted ?? 0) + (counts.judge_rejected ?? 0)).toBe(200);
    for (const id of ids) {
      const audit = await harness.papers.audit(id);
      expect(audit).toHaveLength(1);
      expect(audit[0]?.actor).toBe('system:judge');
    }
    // Every paper that reached the LLM was answered exactly once (no paper in two successful replies).
    const answered = fake.requests
      .filter((r) => r.reply?.kind === 'tool')
      .flatMap((r) => judgedPapersIn(r).map((p) => p.title));
    expect(new Set(answered).size).toBe(answered.length);
    expect(answered.length).toBe((counts.accepted ?? 0) + (counts.judge_rejected ?? 0));
    // Only answered calls cost money, and every judged paper carries its share.
    const ledger = built.ledger as RecordingLedger;
    expect(new Set(ledger.recorded.map((e) => e.paperId)).size).toBe(answered.length);
  });

  it('reports each judge round once its verdicts are stored, so threads can follow at once', async () => {
    fake = await startFakeBedrock();
    fake.respondWith(judgeReply);
    harness = judgeHarness(createFakeBedrockLlm(fake).llm);
    const ids = await enqueue(20);
    const rounds: { kind: string; paperId: string; stored: string | undefined }[][] = [];
    const pending: Promise<void>[] = [];

    await drain({
      batchSize: 8,
      onRoundJudged: (outcomes) => {
        // What the store says when the round is reported: every verdict already there.
        pending.push(
          Promise.all(
            outcomes.map(async (o) => ({
              kind: o.kind,
              paperId: o.paperId,
              stored: (await harness.papers.get(o.paperId))?.state,
            })),
          ).then((round) => void rounds.push(round)),
        );
      },
    });
    await Promise.all(pending);

    const reported = rounds.flat();
    // Rounds cover the papers that reached the LLM; the pre-filter settles the rest without a round.
    expect(rounds.length).toBe(fake.requests.length);
    expect(new Set(reported.map((o) => o.paperId)).size).toBe(reported.length);
    expect(reported.every((o) => ids.includes(o.paperId) && o.kind === o.stored)).toBe(true);
    expect(reported.some((o) => o.kind === 'accepted')).toBe(true);
  });

  it('pauses, releasing its messages and leaving the papers untouched, when the model is not enabled', async () => {
    fake = await startFakeBedrock();
    fake.respondWith(() => accessDenied());
    const built = createFakeBedrockLlm(fake);
    harness = judgeHarness(built.llm);
    await enqueue(60);
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    // Batches of 8 (24 messages held), so most of the 60 papers are still in the queue when the pause begins.
    // A partial batch waits 50 ms: the consumer starts a receive's handlers in slices of the event loop, and on a
    // busy machine a shorter wait could split a batch across them.
    const worker = startJudgeWorker(harness.deps, {
      waitSeconds: 1,
      maxWaitMs: 50,
      configPauseSeconds: 600,
      batchSize: 8,
    });
    for (let i = 0; i < 500 && fake.requests.length === 0; i += 1) await sleep(10);
    await sleep(300);
    const paused = { requests: fake.requests.length, depth: await harness.deps.queues.judge.depth() };
    await sleep(300);

    // One failed call per batch already in flight, then nothing: the rest of the queue was never taken.
    expect(paused.requests).toBeLessThanOrEqual(3);
    expect(fake.requests.length).toBe(paused.requests);
    expect(paused.depth.visible).toBeGreaterThan(10);
    expect(await harness.deps.queues.judge.depth()).toEqual(paused.depth);
    await worker.stop();
    const counts = await harness.papers.countByState();
    expect(counts.accepted ?? 0).toBe(0);
    expect(counts.judge_rejected ?? 0).toBe(0);
    expect(counts.judge_failed ?? 0).toBe(0);
    expect(paused.depth.deadLettered).toBe(0);
  });

  it('judges a failed paper again on retry, once however often Retry is pressed', async () => {
    fake = await startFakeBedrock();
    fake.enqueue(maxTokens({ verdicts: [] }));
    const built = createFakeBedrockLlm(fake);
    harness = judgeHarness(built.llm);
    const [id] = await enqueue(1);
    await drain();
    expect((await harness.papers.get(id!))?.state).toBe('judge_failed');

    const first = await retryJudge(harness.deps, id!);
    const second = await retryJudge(harness.deps, id!);
    expect(first).toEqual({ kind: 'queued', duplicate: false });
    expect(second).toEqual({ kind: 'queued', duplicate: true });
    fake.respondWith(judgeReply);
    await drain();
    expect(fake.requests).toHaveLength(2);
    expect(['accepted', 'judge_rejected']).toContain((await harness.papers.get(id!))?.state);
    expect(await retryJudge(harness.deps, id!)).toMatchObject({ kind: 'not_judgeable' });
    expect(await retryJudge(harness.deps, 'p_missing0000')).toEqual({ kind: 'not_found' });
  });

  it('acks a job whose paper does not exist', async () => {
    fake = await startFakeBedrock();
    const built = createFakeBedrockLlm(fake);
    harness = judgeHarness(built.llm);
    await harness.deps.queues.judge.send({ paperId: 'p_unknown00000' }, { dedupeId: 'x', groupId: 'x' });
    await drain();
    expect(await harness.deps.queues.judge.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
    expect(fake.requests).toHaveLength(0);
  });

  it('gathers the papers of messages in flight into shared calls', async () => {
    fake = await startFakeBedrock();
    fake.respondWith(judgeReply);
    const built = createFakeBedrockLlm(fake);
    harness = judgeHarness(built.llm);
    const ids = await enqueue(16);
    await drain({ maxWaitMs: 50 });
    for (const id of ids) expect((await harness.papers.get(id))?.state).not.toBe('scraped');
    const judged = fake.requests.flatMap((r) => judgedPapersIn(r));
    expect(judged.length).toBeGreaterThan(8);
    expect(fake.requests.length).toBeLessThanOrEqual(3);
  });

  it('at start, judges a paper that was stored without its judge job (the SQS crash window), once', async () => {
    fake = await startFakeBedrock();
    fake.respondWith(judgeReply);
    let nowMs = Date.parse('2026-03-02T09:00:00.000Z');
    harness = judgeHarness(createFakeBedrockLlm(fake).llm, { clock: { now: () => new Date(nowMs) } });
    // Stored, and the process died before the send: no message on the judge queue.
    const { paper } = await harness.papers.ingest(scrapedPaper(ACCEPTED_PAPERS[0]!, 0));
    expect(await harness.deps.queues.judge.depth()).toMatchObject({ visible: 0, inFlight: 0 });
    nowMs += 3 * 60_000; // past the sweep's grace period

    const worker = startJudgeWorker(harness.deps, { waitSeconds: 1, maxWaitMs: 10 });
    for (let i = 0; i < 500 && (await harness.papers.get(paper.id))?.state === 'scraped'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await worker.stop();

    expect(['accepted', 'judge_rejected', 'filtered']).toContain((await harness.papers.get(paper.id))?.state);
    expect(await harness.papers.audit(paper.id)).toHaveLength(1);
    expect(await harness.deps.queues.judge.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
  });
});
