import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postThreads } from '../../jobs/post-threads.js';
import { estimateCodegenUsd } from '../../src/codegen/codegen-budget.js';
import { gatherDigest } from '../../src/digest/gather-digest.js';
import type { Paper } from '../../src/domain/paper.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { CODEGEN_HELD_BLOCK_IDS } from '../../src/messages/codegen-held.js';
import { costOf, priceFor } from '../../src/ports/llm-pricing.js';
import { startFakeBedrock, type FakeBedrock, type FakeUsage } from '../support/fake-bedrock.js';
import { useFakeBedrockEnv } from '../support/fake-bedrock-llm.js';
import { codegenResponder, TINY_PDF } from '../support/fake-codegen-replies.js';
import { startLoopbackServer } from '../support/loopback-http.js';
import { ingestAccepted } from '../support/sample-papers.js';
import type { FakeMessage } from '../support/slack-fake/index.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';

/**
 * DAILY_BUDGET_USD guards code generation like runs: an approver's Generate code over budget is held with an
 * explicit override, the override releases it, and what Claude then used is in the ledger to the token.
 */
const AWS_ENV = [
  'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'AWS_PROFILE',
];

let sherpa: SherpaHarness;
let bedrock: FakeBedrock;
let pdf: Awaited<ReturnType<typeof startLoopbackServer>>;
let savedEnv: Record<string, string | undefined>;
/** Usage the fake served per call, as Bedrock would report it. */
const served: { modelId: string; usage: FakeUsage }[] = [];

beforeEach(async () => {
  savedEnv = Object.fromEntries(AWS_ENV.map((key) => [key, process.env[key]]));
  served.length = 0;
  bedrock = await startFakeBedrock();
  const replies = codegenResponder();
  bedrock.respondWith(async (request) => {
    const reply = await replies(request);
    const n = served.length + 1;
    const usage = {
      inputTokens: 4000 * n,
      outputTokens: 700 * n,
      cacheReadInputTokens: 300,
      cacheWriteInputTokens: 0,
    };
    served.push({ modelId: request.modelId, usage });
    return reply.kind === 'error' ? reply : { ...reply, usage };
  });
  useFakeBedrockEnv(bedrock);
  pdf = await startLoopbackServer((_request, _body, response) => {
    response.writeHead(200, { 'content-type': 'application/pdf' });
    response.end(TINY_PDF);
  });
  sherpa = await startSherpa({ env: { DAILY_BUDGET_USD: '1', APPROVERS: `${TEST_APPROVER},U0APPROVER2` } });
});
afterEach(async () => {
  await sherpa.stop();
  await Promise.all([bedrock.close(), pdf.close()]);
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

const textOf = (message: FakeMessage | undefined) =>
  JSON.stringify(message?.blocks ?? []) + (message?.text ?? '');

async function threadedPaper(): Promise<{ paper: Paper; root: FakeMessage }> {
  const accepted = await ingestAccepted(sherpa.deps.papers, 0, {}, new Date().toISOString());
  await sherpa.deps.papers.update(accepted.id, { pdfUrl: `${pdf.baseUrl}/paper.pdf` });
  await postThreads(sherpa.deps);
  const paper = (await sherpa.deps.papers.get(accepted.id)) as Paper;
  const root = sherpa.fake.messages().find((message) => message.ts === paper.thread?.ts);
  if (!root) throw new Error('no root message');
  return { paper, root };
}

describe('the budget guard on code generation', () => {
  it('holds Generate code over budget, releases it on an approver’s override, and records what Claude used', async () => {
    const { deps, fake, config } = sherpa;
    const { paper, root } = await threadedPaper();
    // $0.80 already spent today; code generation is estimated at about $0.54 on the default Sonnet price.
    expect(estimateCodegenUsd(config)).toBeCloseTo(0.54, 2);
    await deps.ledger.record({
      at: deps.clock.now().toISOString(),
      kind: 'instance',
      resource: 'i-0123456789abcdef0',
      purpose: 'run',
      seconds: 2143,
      usd: 0.8,
    });

    const click = await fake.clickButton({
      actionId: ACTION_IDS.generateCode,
      value: paper.id,
      user: TEST_APPROVER,
      message: root,
    });
    expect((await fake.waitForAck(click.envelopeId)).latencyMs).toBeLessThan(3000);
    const told = await fake.waitForCall('chat.postEphemeral', (c) => c.args.user === TEST_APPROVER);
    expect(told.args.text).toContain('Over budget: $0.80 spent today');
    const heldMessage = () =>
      fake.messages({ threadTs: paper.thread?.ts }).find((m) => textOf(m).includes('Code generation held'));
    await expect.poll(heldMessage).toBeDefined();
    const held = heldMessage() as FakeMessage;
    expect(textOf(held)).toContain(ACTION_IDS.overrideCodegenBudget);
    expect(textOf(held)).toContain('would pass the daily budget of $1.00 (DAILY_BUDGET_USD)');
    // Held means held: no transition, nothing queued, no model called.
    expect((await deps.papers.get(paper.id))?.state).toBe('accepted');
    expect((await deps.queues.codegen.depth()).visible).toBe(0);
    expect(bedrock.requests).toHaveLength(0);

    const stranger = await fake.clickButton({
      actionId: ACTION_IDS.overrideCodegenBudget,
      value: paper.id,
      message: held,
    });
    await fake.waitForAck(stranger.envelopeId);
    const refusal = await fake.waitForCall(
      'chat.postEphemeral',
      (c) => c.args.user === fake.identity.defaultUser,
    );
    expect(refusal.args.text).toContain('Only approvers can override the budget');
    expect((await deps.papers.get(paper.id))?.state).toBe('accepted');

    const override = await fake.clickButton({
      actionId: ACTION_IDS.overrideCodegenBudget,
      value: paper.id,
      user: 'U0APPROVER2',
      message: held,
    });
    await fake.waitForAck(override.envelopeId);
    await expect
      .poll(async () => (await deps.papers.get(paper.id))?.state, { timeout: 20_000 })
      .toBe('code_ready');
    const audit = await deps.papers.audit(paper.id);
    expect(audit.find((entry) => entry.to === 'code_requested')?.actor).toBe('U0APPROVER2');
    const updated = fake.messages().find((m) => m.ts === held.ts);
    expect(textOf(updated)).not.toContain(ACTION_IDS.overrideCodegenBudget);
    expect(JSON.stringify(updated?.blocks)).toContain(CODEGEN_HELD_BLOCK_IDS.decision);
    expect(JSON.stringify(updated?.blocks)).toContain('<@U0APPROVER2> asked for code');

    // Every Converse call is in the ledger against the paper, priced per model; the digest sums them the same.
    const entries = (await deps.ledger.entries({ paperId: paper.id, limit: 100 })).filter(
      (e) => e.kind === 'llm',
    );
    expect(entries).toHaveLength(served.length);
    expect(entries.map((e) => e.purpose).sort()).toEqual(['codegen.code', 'codegen.plan', 'codegen.review']);
    const price = priceFor(config.bedrock.prices, config.bedrock.codegenModelId)!;
    const expectedUsd = served.reduce(
      (sum, s) =>
        sum +
        costOf(
          {
            inputTokens: s.usage.inputTokens,
            outputTokens: s.usage.outputTokens,
            cacheReadTokens: s.usage.cacheReadInputTokens,
            cacheWriteTokens: s.usage.cacheWriteInputTokens,
          },
          price,
        ),
      0,
    );
    const forPaper = await deps.ledger.summarize({ since: '1970-01-01T00:00:00.000Z', paperId: paper.id });
    expect(forPaper.usd).toBeCloseTo(expectedUsd, 10);
    expect(forPaper.inputTokens).toBe(served.reduce((sum, s) => sum + s.usage.inputTokens, 0));
    expect(forPaper.outputTokens).toBe(served.reduce((sum, s) => sum + s.usage.outputTokens, 0));
    const digest = await gatherDigest(deps);
    expect(digest.spend.today.usd).toBeCloseTo(0.8 + expectedUsd, 10);
    expect(digest.spend.today.models).toEqual([
      expect.objectContaining({ resource: config.bedrock.codegenModelId, inputTokens: forPaper.inputTokens }),
    ]);
    expect(digest.spend.today.instances).toEqual([
      expect.objectContaining({ resource: 'i-0123456789abcdef0', seconds: 2143 }),
    ]);
  });

  it('lets code generation through while the day is within budget', async () => {
    const { paper, root } = await threadedPaper();
    const click = await sherpa.fake.clickButton({
      actionId: ACTION_IDS.generateCode,
      value: paper.id,
      user: TEST_APPROVER,
      message: root,
    });
    await sherpa.fake.waitForAck(click.envelopeId);
    await expect
      .poll(async () => (await sherpa.deps.papers.get(paper.id))?.state, { timeout: 20_000 })
      .toBe('code_ready');
    expect(sherpa.fake.messages().some((m) => textOf(m).includes('Code generation held'))).toBe(false);
  });
});
