import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlackChat } from '../../src/adapters/slack/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startJudgeJobs } from '../../jobs/judge-worker.js';
import { createCoreDeps, type ComposedCoreDeps } from '../../src/compose.js';
import { createLogger } from '../../src/logging/logger.js';
import { startFakeBedrock, type FakeBedrock } from '../support/fake-bedrock.js';
import { useFakeBedrockEnv } from '../support/fake-bedrock-llm.js';
import { judgeReply } from '../support/fake-judge-replies.js';
import { ACCEPTED_PAPERS, scrapedPaper } from '../support/judge-fixtures.js';
import { testConfig } from '../support/judge-harness.js';

// Never called: judging makes no Slack request. Loopback so a mistake could not leave the host.
const chat = new SlackChat({
  token: 'xoxb-test',
  apiUrl: 'http://127.0.0.1:9/api/',
  logger: createLogger({ level: 'silent' }),
});

describe('the composed Sherpa judges through Bedrock', () => {
  let fake: FakeBedrock;
  let dataDir: string;
  let deps: ComposedCoreDeps;
  beforeEach(async () => {
    fake = await startFakeBedrock();
    dataDir = mkdtempSync(join(tmpdir(), 'sherpa-compose-llm-'));
  });
  afterEach(async () => {
    await deps?.close();
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('builds the Bedrock LLM from config, honours AWS_ENDPOINT_URL_BEDROCK_RUNTIME and prices into the ledger', async () => {
    useFakeBedrockEnv(fake);
    fake.respondWith(judgeReply);
    deps = await createCoreDeps(testConfig({}, { DATA_DIR: dataDir }), createLogger({ level: 'silent' }), {
      chat,
    });
    expect(deps.llm).toBeDefined();
    const { paper } = await deps.papers.ingest(scrapedPaper(ACCEPTED_PAPERS[7]!, 1));
    await deps.queues.judge.send({ paperId: paper.id }, { dedupeId: paper.id, groupId: paper.id });

    const worker = startJudgeJobs(deps, { waitSeconds: 1, maxWaitMs: 10 });
    for (let i = 0; i < 500 && (await deps.papers.get(paper.id))?.state === 'scraped'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await worker.stop();

    expect((await deps.papers.get(paper.id))?.state).toMatch(/^(accepted|judge_rejected)$/);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.modelId).toBe(deps.config.bedrock.judgeModelId);
    const entries = await deps.ledger.entries({ paperId: paper.id });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      kind: 'llm',
      purpose: 'judge',
      resource: deps.config.bedrock.judgeModelId,
    });
    expect(entries[0]!.usd).toBeGreaterThan(0);
  });

  it('starts the judge worker from the composed deps and stops it cleanly', async () => {
    useFakeBedrockEnv(fake);
    fake.respondWith(judgeReply);
    deps = await createCoreDeps(testConfig({}, { DATA_DIR: dataDir }), createLogger({ level: 'silent' }), {
      chat,
    });
    const { paper } = await deps.papers.ingest(scrapedPaper(ACCEPTED_PAPERS[7]!, 1));
    await deps.queues.judge.send({ paperId: paper.id }, { dedupeId: paper.id, groupId: paper.id });

    const worker = startJudgeJobs(deps, { waitSeconds: 1, maxWaitMs: 10 });
    for (let i = 0; i < 200 && (await deps.papers.get(paper.id))?.state === 'scraped'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await worker.stop();
    expect((await deps.papers.get(paper.id))?.state).toMatch(/^(accepted|judge_rejected)$/);
  });

  it('starts nothing without an LLM', async () => {
    deps = await createCoreDeps(testConfig({}, { DATA_DIR: dataDir }), createLogger({ level: 'silent' }), {
      chat,
    });
    const worker = startJudgeJobs({ ...deps, llm: undefined });
    await worker.stop();
    expect(fake.requests).toHaveLength(0);
  });
});
