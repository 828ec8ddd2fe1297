/**
 * Judge throughput: 1,000 papers through the judge worker against the loopback fake Bedrock, which adds 300 ms
 * to every reply and throttles 20 % of calls (429 ThrottlingException). Reports papers per minute, LLM calls and
 * tokens per paper, how many plainly irrelevant papers the pre-filter caught, and that no paper was lost.
 *
 * Papers are real: 70 % cycle through the 114 the prior art's judge accepted, 30 % through 23 plainly irrelevant
 * arXiv entries (physics, software testing); each copy gets a unique title. Token counts are the fake's estimate
 * (4 characters a token over the whole request, plus Anthropic's hidden tool prompt), not Claude's tokenizer; the
 * fake's verdicts are as long as the judge's instructions allow (test/support/fake-judge-replies.ts).
 *
 * Cost (issue 14, item 5) is priced from the usage the fake reports, with Claude Haiku 4.5's prices and its
 * prompt-caching minimum of 4,096 tokens: the judge's cacheable prefix (Anthropic's tool prompt, the tool
 * definition and the system prompt, about 1,100 tokens) is below it, so on Haiku 4.5 the cache points never
 * engage and every input token is uncached. The figures say so rather than assume a cache that Bedrock would not
 * give. What keeps a judged paper cheap is the batch (24 papers share the prefix) and the output (texts only for
 * papers that meet the thresholds). A paper judged alone pays the whole prefix; the last line measures that case.
 */
import { startJudgeWorker } from '../jobs/judge-worker.js';
import { DEFAULT_MODEL_PRICES } from '../src/config/load-config.js';
import { judgePapers } from '../src/judge/index.js';
import { costOf, priceFor } from '../src/ports/llm-pricing.js';
import { estimateTokens, startFakeBedrock, throttle } from '../test/support/fake-bedrock.js';
import { createFakeBedrockLlm } from '../test/support/fake-bedrock-llm.js';
import { instructedJudgeReply } from '../test/support/fake-judge-replies.js';
import { ACCEPTED_PAPERS, IRRELEVANT_PAPERS, scrapedPaper } from '../test/support/judge-fixtures.js';
import { judgeHarness } from '../test/support/judge-harness.js';
import type { RecordingLedger } from '../test/support/recording-ledger.js';

const PAPERS = 1000;
const LATENCY_MS = 300;
const THROTTLE_RATE = 0.2;
/** Input tokens per judged paper before caching, and dollars per judged paper at Haiku 4.5 prices after it. */
const TARGET_INPUT_TOKENS = 400;
const TARGET_USD_PER_PAPER = 0.0005;
/** Claude Haiku 4.5's minimum cacheable prefix (Anthropic's prompt-caching docs; aws.md §1). */
const HAIKU_CACHE_MIN_TOKENS = 4096;

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function run(): Promise<void> {
  const fake = await startFakeBedrock({ latencyMs: LATENCY_MS, cacheMinTokens: HAIKU_CACHE_MIN_TOKENS });
  const random = seeded(7);
  let throttled = 0;
  fake.respondWith((request) => {
    if (random() < THROTTLE_RATE) {
      throttled += 1;
      return throttle();
    }
    return instructedJudgeReply(request);
  });
  // Real backoff sleeps: throughput under throttling is what is measured.
  const { llm, ledger } = createFakeBedrockLlm(fake, {
    maxConcurrency: 4,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  const harness = judgeHarness(llm);

  const irrelevantIds = new Set<string>();
  for (let i = 0; i < PAPERS; i += 1) {
    const irrelevant = i % 10 >= 7;
    const source = irrelevant
      ? IRRELEVANT_PAPERS[i % IRRELEVANT_PAPERS.length]!
      : ACCEPTED_PAPERS[i % ACCEPTED_PAPERS.length]!;
    const { paper } = await harness.papers.ingest(scrapedPaper(source, i, { suffix: `(copy ${i})` }));
    if (irrelevant) irrelevantIds.add(paper.id);
    await harness.deps.queues.judge.send({ paperId: paper.id }, { dedupeId: paper.id, groupId: paper.id });
  }

  const started = performance.now();
  const worker = startJudgeWorker(harness.deps, { waitSeconds: 1 });
  for (;;) {
    const depth = await harness.deps.queues.judge.depth();
    if (depth.visible + depth.inFlight === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();

  const counts = await harness.papers.countByState();
  const judged = (counts.accepted ?? 0) + (counts.judge_rejected ?? 0);
  const settled = judged + (counts.filtered ?? 0) + (counts.judge_failed ?? 0);
  let irrelevantFiltered = 0;
  for (const id of irrelevantIds) {
    if ((await harness.papers.get(id))?.verdict?.decidedBy === 'prefilter') irrelevantFiltered += 1;
  }
  const entries = (ledger as RecordingLedger).recorded;
  const total = (pick: (e: (typeof entries)[number]) => number | undefined) =>
    entries.reduce((sum, e) => sum + (pick(e) ?? 0), 0);
  const uncached = total((e) => e.inputTokens);
  const cacheRead = total((e) => e.cacheReadTokens);
  const cacheWrite = total((e) => e.cacheWriteTokens);
  const input = uncached + cacheRead + cacheWrite;
  const output = total((e) => e.outputTokens);
  const usd = entries.reduce((sum, e) => sum + e.usd, 0);
  // The cacheable prefix of one judge call: Anthropic's tool prompt, the tool definition and the system prompt.
  const first = fake.requests.find((r) => r.reply?.kind === 'tool');
  const prefixTokens = first
    ? 313 +
      estimateTokens(first.body.toolConfig) +
      estimateTokens((first.body.system as Array<{ text?: string }>).map((b) => b.text ?? ''))
    : 0;
  const answered = fake.requests.filter((r) => r.reply?.kind === 'tool').length;
  const depth = await harness.deps.queues.judge.depth();
  const lost = PAPERS - settled;

  const perPaper = (value: number) => (judged > 0 ? value / judged : 0);
  const price = priceFor(DEFAULT_MODEL_PRICES, harness.config.bedrock.judgeModelId)!;
  const zero = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  const usdOf = (part: Partial<typeof zero>) => perPaper(costOf({ ...zero, ...part }, price));
  console.log(`papers                      ${PAPERS} (${irrelevantIds.size} plainly irrelevant)`);
  console.log(`wall time                   ${seconds.toFixed(1)} s`);
  console.log(`throughput                  ${((PAPERS / seconds) * 60).toFixed(0)} papers/min`);
  console.log(`filtered by pre-filter      ${counts.filtered ?? 0} (no LLM call)`);
  console.log(
    `irrelevant filtered         ${irrelevantFiltered}/${irrelevantIds.size} ` +
      `(${((irrelevantFiltered / irrelevantIds.size) * 100).toFixed(0)} %, target ≥ 50 %)`,
  );
  console.log(`judged by LLM               ${judged} (accepted ${counts.accepted ?? 0})`);
  console.log(`judge_failed                ${counts.judge_failed ?? 0}`);
  console.log(
    `LLM calls                   ${fake.requests.length} sent, ${answered} answered, ${throttled} throttled ` +
      `(${(answered / Math.max(judged, 1)).toFixed(3)} answered calls per judged paper)`,
  );
  const inputMet = perPaper(input) <= TARGET_INPUT_TOKENS;
  const usdMet = perPaper(usd) <= TARGET_USD_PER_PAPER;
  console.log(
    `input tokens / judged paper ${perPaper(input).toFixed(0)} before caching (target ≤ ${TARGET_INPUT_TOKENS}: ` +
      `${inputMet ? 'met' : 'MISSED'}; estimated 4 chars/token)`,
  );
  console.log(
    `  of which                  ${perPaper(uncached).toFixed(0)} uncached ($${usdOf({ inputTokens: uncached }).toFixed(5)}), ` +
      `${perPaper(cacheRead).toFixed(0)} cache reads ($${usdOf({ cacheReadTokens: cacheRead }).toFixed(5)}), ` +
      `${perPaper(cacheWrite).toFixed(0)} cache writes ($${usdOf({ cacheWriteTokens: cacheWrite }).toFixed(5)})`,
  );
  console.log(
    `cacheable prefix            ${prefixTokens} tokens per call, ${perPaper(prefixTokens * answered).toFixed(0)} per ` +
      `judged paper (Haiku 4.5 caches from ${HAIKU_CACHE_MIN_TOKENS}: ` +
      `${prefixTokens >= HAIKU_CACHE_MIN_TOKENS ? 'cached' : 'below the minimum, never cached'})`,
  );
  console.log(
    `output tokens / judged paper ${perPaper(output).toFixed(0)} ($${usdOf({ outputTokens: output }).toFixed(5)}; ` +
      `texts only for the ${counts.accepted ?? 0} papers that meet the thresholds)`,
  );
  console.log(
    `cost                        $${usd.toFixed(4)} ($${perPaper(usd).toFixed(6)} per judged paper at Haiku 4.5 ` +
      `prices after caching; target ≤ $${TARGET_USD_PER_PAPER}: ${usdMet ? 'met' : 'MISSED'})`,
  );
  console.log(
    `lost                        ${lost} (queue: ${depth.visible} visible, ${depth.inFlight} in flight, ` +
      `${depth.deadLettered} dead-lettered)`,
  );

  // One paper arriving alone (a `/paper run`, a quiet hour): the batcher waits 250 ms, then calls with a batch
  // of one, which pays the whole prefix. Measured the same way, without throttling.
  fake.respondWith(instructedJudgeReply);
  const source = ACCEPTED_PAPERS.find((p) => /attention|transformer/i.test(p.title))!;
  const { paper: lone } = await harness.papers.ingest(scrapedPaper(source, PAPERS, { suffix: '(alone)' }));
  const before = entries.length;
  await judgePapers(harness.deps, [lone.id]);
  const loneEntries = entries.slice(before);
  const loneTokens = loneEntries.reduce(
    (sum, e) => sum + (e.inputTokens ?? 0) + (e.cacheReadTokens ?? 0) + (e.cacheWriteTokens ?? 0),
    0,
  );
  const loneUsd = loneEntries.reduce((sum, e) => sum + e.usd, 0);
  console.log(
    `a paper judged alone        ${loneTokens} input, ${loneEntries.reduce((sum, e) => sum + (e.outputTokens ?? 0), 0)} ` +
      `output tokens, $${loneUsd.toFixed(5)} (the targets are per paper in full batches)`,
  );

  harness.close();
  await fake.close();
  const failures = [
    lost > 0 ? `${lost} papers lost` : '',
    irrelevantFiltered * 2 < irrelevantIds.size ? 'fewer than half of irrelevant papers filtered' : '',
  ].filter(Boolean);
  if (failures.length > 0) throw new Error(`judge-throughput missed its targets: ${failures.join('; ')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
