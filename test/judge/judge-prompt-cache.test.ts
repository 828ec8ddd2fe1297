import { afterEach, describe, expect, it } from 'vitest';
import { costOf } from '../../src/ports/llm-pricing.js';
import type { Llm, StructuredRequest } from '../../src/ports/llm.js';
import { DEFAULT_MODEL_PRICES } from '../../src/config/load-config.js';
import { judgePapers } from '../../src/judge/index.js';
import { toolInputSchema } from '../../src/adapters/bedrock/converse-request.js';
import { VerdictListSchema, verdictReplySchema } from '../../src/judge/verdict-reply.js';
import { toConverseInput } from '../../src/adapters/bedrock/converse-request.js';
import { z } from 'zod';
import { startFakeBedrock, toolUse, type FakeBedrock } from '../support/fake-bedrock.js';
import { createFakeBedrockLlm } from '../support/fake-bedrock-llm.js';
import { instructedJudgeReply, judgeReply } from '../support/fake-judge-replies.js';
import { ACCEPTED_PAPERS, scrapedPaper } from '../support/judge-fixtures.js';
import { judgeHarness, type JudgeHarness } from '../support/judge-harness.js';
import type { RecordingLedger } from '../support/recording-ledger.js';

const relevant = ACCEPTED_PAPERS.filter((p) =>
  /attention|transformer|quantiz|inference|llm|language model/i.test(p.title),
);

describe('the judge prompt and prompt caching (issue 14, item 5)', () => {
  let fake: FakeBedrock;
  let harness: JudgeHarness;
  afterEach(async () => {
    harness.close();
    await fake.close();
  });

  async function setUp(cacheMinTokens: number) {
    fake = await startFakeBedrock({ cacheMinTokens });
    const built = createFakeBedrockLlm(fake);
    harness = judgeHarness(built.llm);
    return built.ledger as RecordingLedger;
  }

  async function ingest(papers: typeof relevant, start: number): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, paper] of papers.entries()) {
      ids.push((await harness.papers.ingest(scrapedPaper(paper, start + i))).paper.id);
    }
    return ids;
  }

  it('sends the tool definition and the system prompt byte-identical, each before a cache point, whatever the batch', async () => {
    await setUp(4096);
    fake.respondWith(judgeReply);
    await judgePapers(harness.deps, await ingest(relevant.slice(0, 3), 0));
    await judgePapers(harness.deps, await ingest(relevant.slice(3, 8), 100));
    await judgePapers(harness.deps, await ingest(relevant.slice(8, 9), 200));

    expect(fake.requests).toHaveLength(3);
    const [first, ...rest] = fake.requests;
    expect(first!.body.system.at(-1)).toEqual({ cachePoint: { type: 'default' } });
    expect(first!.body.toolConfig.tools.at(-1)).toEqual({ cachePoint: { type: 'default' } });
    for (const request of rest) {
      expect(JSON.stringify(request.body.toolConfig)).toBe(JSON.stringify(first!.body.toolConfig));
      expect(JSON.stringify(request.body.system)).toBe(JSON.stringify(first!.body.system));
      expect(request.body.messages[0].content[0].text).not.toBe(first!.body.messages[0].content[0].text);
    }
  });

  it('shows the model one shared tool schema for every batch, validating each against its own papers', async () => {
    fake = await startFakeBedrock({ cacheMinTokens: 4096 });
    const built = createFakeBedrockLlm(fake);
    const seen: StructuredRequest<unknown>[] = [];
    const llm: Llm = {
      structured: <T>(request: StructuredRequest<T>) => {
        seen.push(request as StructuredRequest<unknown>);
        return built.llm.structured(request);
      },
    };
    harness = judgeHarness(llm);
    fake.respondWith(judgeReply);
    await judgePapers(harness.deps, await ingest(relevant.slice(0, 3), 0));
    await judgePapers(harness.deps, await ingest(relevant.slice(3, 8), 100));
    expect(seen).toHaveLength(2);
    for (const request of seen) expect(request.tool.shownSchema).toBe(VerdictListSchema);
    expect(seen[0]!.tool.schema).not.toBe(seen[1]!.tool.schema);
  });

  it('gives the model one JSON Schema for every batch size, and still demands exactly this batch’s papers', () => {
    expect(JSON.stringify(toolInputSchema(verdictReplySchema(['P1'])))).toBe(
      JSON.stringify(toolInputSchema(verdictReplySchema(['P1', 'P2', 'P3']))),
    );
    // The judge shows the model one shared schema (converted once, not once per batch size): the same JSON.
    expect(JSON.stringify(toolInputSchema(VerdictListSchema))).toBe(
      JSON.stringify(toolInputSchema(verdictReplySchema(['P1', 'P2', 'P3', 'P4']))),
    );
    const verdict = (paper: string) => ({ paper, relevance: 8, novelty: 6, trainium: 'yes' });
    const schema = verdictReplySchema(['P1', 'P2']);
    expect(schema.safeParse({ verdicts: [verdict('P1'), verdict('P2')] }).success).toBe(true);
    const extra = schema.safeParse({ verdicts: [verdict('P1'), verdict('P2'), verdict('P3')] });
    expect(extra.success).toBe(false);
    expect(extra.error?.message).toMatch(/not in the message: P3/);
    const twice = schema.safeParse({ verdicts: [verdict('P1'), verdict('P1')] });
    expect(twice.error?.message).toMatch(/more than one verdict for P1/);
    // A reply that leaves a paper out is valid: the judge stores it and judges the missing paper alone.
    expect(schema.safeParse({ verdicts: [verdict('P2')] }).success).toBe(true);
    expect(schema.safeParse({ verdicts: [] }).success).toBe(false);
    expect(schema.safeParse({ verdicts: [{ ...verdict('P1'), trainium: 'maybe' }] }).success).toBe(false);
  });

  it('shows the model the tool’s shownSchema when given one, and its schema otherwise', () => {
    const shown = z.object({ answer: z.string() });
    const request = (tool: { shownSchema?: z.ZodType }) =>
      toConverseInput(
        {
          modelId: 'm',
          purpose: 'test',
          system: 's',
          messages: [],
          tool: { name: 't', description: 'd', schema: shown.refine((v) => v.answer !== 'no'), ...tool },
          maxTokens: 10,
        },
        [],
      );
    const spec = (input: ReturnType<typeof request>) =>
      (input.toolConfig?.tools?.[0] as { toolSpec: { inputSchema: { json: unknown } } }).toolSpec.inputSchema
        .json;
    expect(spec(request({ shownSchema: shown }))).toBe(toolInputSchema(shown));
    expect(spec(request({}))).not.toBe(toolInputSchema(shown));
    expect(spec(request({}))).toEqual(toolInputSchema(shown));
  });

  it('prices cache writes and reads at their own rates in the ledger when the prefix is long enough to cache', async () => {
    // A minimum the judge's prefix reaches (as Sonnet 4.5's 1,024 tokens does), so the cache engages.
    const ledger = await setUp(256);
    fake.respondWith(judgeReply);
    await judgePapers(harness.deps, await ingest(relevant.slice(0, 2), 0));
    await judgePapers(harness.deps, await ingest(relevant.slice(2, 4), 100));

    const [writeCall, readCall] = fake.requests;
    expect(writeCall!.reply).toBeDefined();
    const usage = (index: number) => {
      const entries = ledger.recorded.slice(index * 2, index * 2 + 2);
      return {
        inputTokens: entries.reduce((s, e) => s + (e.inputTokens ?? 0), 0),
        outputTokens: entries.reduce((s, e) => s + (e.outputTokens ?? 0), 0),
        cacheReadTokens: entries.reduce((s, e) => s + (e.cacheReadTokens ?? 0), 0),
        cacheWriteTokens: entries.reduce((s, e) => s + (e.cacheWriteTokens ?? 0), 0),
        usd: entries.reduce((s, e) => s + e.usd, 0),
      };
    };
    const first = usage(0);
    const second = usage(1);
    expect(first.cacheWriteTokens).toBeGreaterThan(256);
    expect(first.cacheReadTokens).toBe(0);
    expect(second.cacheReadTokens).toBe(first.cacheWriteTokens);
    expect(second.cacheWriteTokens).toBe(0);
    expect(readCall).toBeDefined();
    const price = DEFAULT_MODEL_PRICES[harness.config.bedrock.judgeModelId]!;
    // Haiku 4.5: $1 in, $5 out, cache writes 1.25×, cache reads 0.1× input.
    expect(price).toMatchObject({
      inputPerMTok: 1,
      outputPerMTok: 5,
      cacheWritePerMTok: 1.25,
      cacheReadPerMTok: 0.1,
    });
    for (const call of [first, second]) expect(call.usd).toBeCloseTo(costOf(call, price), 12);
    expect(second.usd).toBeLessThan(
      costOf(
        { ...second, inputTokens: second.inputTokens + second.cacheReadTokens, cacheReadTokens: 0 },
        price,
      ),
    );
  });

  it('keeps a judged paper at or under 400 input tokens and $0.0005 in a full batch, uncached on Haiku 4.5', async () => {
    const ledger = await setUp(4096);
    await ingest(ACCEPTED_PAPERS.slice(60, 100), 500);
    const ids = await ingest(ACCEPTED_PAPERS.slice(0, 24), 0);
    fake.respondWith(instructedJudgeReply);

    await judgePapers(harness.deps, ids);

    expect(fake.requests).toHaveLength(1);
    const total = (pick: (e: RecordingLedger['recorded'][number]) => number | undefined) =>
      ledger.recorded.reduce((sum, e) => sum + (pick(e) ?? 0), 0);
    expect(total((e) => e.cacheReadTokens) + total((e) => e.cacheWriteTokens)).toBe(0);
    expect(total((e) => e.inputTokens) / ids.length).toBeLessThanOrEqual(400);
    // Scores for every paper, texts only for those that meet the thresholds (some here do, some do not).
    const states = await Promise.all(ids.map(async (id) => (await harness.papers.get(id))?.state));
    expect(states).toContain('accepted');
    expect(states).toContain('judge_rejected');
    expect(total((e) => e.usd) / ids.length).toBeLessThanOrEqual(0.0005);
  });

  it('explains a rejection from the scores when the model gave no rationale, and keeps the texts it gave', async () => {
    await setUp(4096);
    const [low, high] = await ingest(relevant.slice(0, 2), 0);
    fake.respondWith(() =>
      toolUse({
        verdicts: [
          { paper: 'P1', relevance: 3, novelty: 8, trainium: 'no-custom-kernels' },
          {
            paper: 'P2',
            relevance: 9,
            novelty: 7,
            trainium: 'unclear',
            rationale: 'Cheaper attention for long contexts.',
            smallestExperiment: 'A 2-layer model on 4k-token sequences.',
          },
        ],
      }),
    );

    await judgePapers(harness.deps, [low!, high!]);

    const rejected = (await harness.papers.get(low!))?.verdict;
    expect(rejected?.rationale).toMatch(
      /relevance 3\/10 is below 7; Trainium: needs custom CUDA or Triton kernels/,
    );
    expect(rejected?.feasibility).toEqual({ verdict: 'no', reason: 'needs custom CUDA or Triton kernels' });
    expect(rejected?.smallestExperiment).toBeUndefined();
    const accepted = await harness.papers.get(high!);
    expect(accepted?.state).toBe('accepted');
    expect(accepted?.verdict).toMatchObject({
      rationale: 'Cheaper attention for long contexts.',
      smallestExperiment: 'A 2-layer model on 4k-token sequences.',
      feasibility: { verdict: 'unclear', reason: 'the abstract does not say enough to tell' },
    });
  });
});
