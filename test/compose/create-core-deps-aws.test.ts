import { join } from 'node:path';
import { SlackChat } from '../../src/adapters/slack/index.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startJudgeJobs } from '../../jobs/judge-worker.js';
import { OpenSearchPaperStore, OpenSearchSearchStore } from '../../src/adapters/opensearch/index.js';
import { S3BlobStore } from '../../src/adapters/s3/index.js';
import { SqsWorkQueue } from '../../src/adapters/sqs/index.js';
import { KeyedQueue } from '../../src/queue/keyed-queue.js';
import { type ComposedCoreDeps, createCoreDeps } from '../../src/compose.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ingestPage } from '../../src/ingest/ingest-page.js';
import { readRawRecord } from '../../src/ingest/raw-page.js';
import { createLogger } from '../../src/logging/logger.js';
import { tempDataDir } from '../embedded/temp-data-dir.js';
import { startFakeBedrock, type FakeBedrock } from '../support/fake-bedrock.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../support/fake-opensearch.js';
import { startFakeS3, type FakeS3 } from '../support/fake-s3.js';
import { startFakeSqs, type FakeSqs } from '../support/fake-sqs.js';
import { judgeReply } from '../support/fake-judge-replies.js';
import { ACCEPTED_PAPERS, scrapedPaper } from '../support/judge-fixtures.js';

const logger = createLogger({ level: 'silent' });
// Never called by these flows; loopback so a mistake could not leave the host.
const chat = new SlackChat({
  token: 'xoxb-test',
  apiUrl: 'http://127.0.0.1:9/api/',
  logger: createLogger({ level: 'silent' }),
});

/**
 * With S3_BUCKET, the three SQS queue URLs and OPENSEARCH_URL set, the composition root builds the AWS adapters,
 * and the judge flow of the other issues runs unchanged on them: scrape page → raw record in S3 → paper in
 * OpenSearch → judge job on SQS FIFO → Claude (fake Bedrock) → verdict stored by compare-and-set → job deleted.
 * Every service is a loopback fake speaking its wire protocol.
 */
describe('createCoreDeps on AWS (S3, SQS, OpenSearch fakes)', () => {
  let s3: FakeS3;
  let sqs: FakeSqs;
  let search: FakeOpenSearch;
  let bedrock: FakeBedrock;
  let deps: ComposedCoreDeps;
  const dir = tempDataDir();

  beforeAll(async () => {
    [s3, sqs, search, bedrock] = await Promise.all([
      startFakeS3(),
      startFakeSqs(),
      startFakeOpenSearch(),
      startFakeBedrock(),
    ]);
    s3.model.createBucket('sherpa-data');
    const urls: Record<string, string> = {};
    for (const name of ['judge', 'codegen', 'run', 'evolve']) {
      sqs.model.createQueue(`sherpa-${name}-dlq.fifo`);
      urls[name] = sqs.model.createQueue(`sherpa-${name}.fifo`, {
        deadLetterQueue: `sherpa-${name}-dlq.fifo`,
        maxReceiveCount: 5,
      });
    }
    vi.stubEnv('AWS_ENDPOINT_URL_S3', s3.url);
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', sqs.url);
    vi.stubEnv('AWS_ENDPOINT_URL_BEDROCK_RUNTIME', bedrock.url);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAFAKEFAKEFAKEFAKE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'fake-secret');
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_APP_TOKEN: 'xapp-1-A1-abc',
      SLACK_CHANNEL: 'C0123456789',
      APPROVERS: 'U0APPROVER1',
      DATA_DIR: join(dir.path, 'data'),
      AWS_REGION: 'us-east-1',
      S3_BUCKET: 'sherpa-data',
      SQS_JUDGE_QUEUE_URL: urls.judge,
      SQS_CODEGEN_QUEUE_URL: urls.codegen,
      SQS_RUN_QUEUE_URL: urls.run,
      SQS_EVOLVE_QUEUE_URL: urls.evolve,
      OPENSEARCH_URL: search.url,
      OPENSEARCH_AUTH: 'none',
    });
    deps = await createCoreDeps(config, logger, { chat });
  });

  afterAll(async () => {
    await deps?.close();
    vi.unstubAllEnvs();
    await Promise.all([s3?.close(), sqs?.close(), search?.close(), bedrock?.close()]);
    dir.remove();
  });

  it('builds the S3, SQS FIFO and OpenSearch adapters and creates the versioned indices', () => {
    expect(deps.blobs).toBeInstanceOf(S3BlobStore);
    // Each SQS queue remembers its sent and processed dedupe ids beyond SQS's five minutes (issue 10).
    for (const queue of [deps.queues.judge, deps.queues.codegen, deps.queues.run, deps.queues.evolve]) {
      expect(queue).toBeInstanceOf(KeyedQueue);
      expect((queue as KeyedQueue<unknown>).inner).toBeInstanceOf(SqsWorkQueue);
    }
    expect(deps.papers).toBeInstanceOf(OpenSearchPaperStore);
    expect(search.model.aliases.get('sherpa-papers')).toBe('sherpa-papers-v1');
    expect(search.model.aliases.get('sherpa-ledger')).toBe('sherpa-ledger-v1');
    // Evolve searches (issue 13, item 7) have their own index and per-paper claims in AWS mode too.
    expect(deps.searches).toBeInstanceOf(OpenSearchSearchStore);
    expect(search.model.aliases.get('sherpa-searches')).toBe('sherpa-searches-v1');
    expect(search.model.aliases.get('sherpa-search-claims')).toBe('sherpa-search-claims-v1');
  });

  it('runs ingest → judge queue → verdict transition end to end', async () => {
    const papers = ACCEPTED_PAPERS.slice(0, 4);
    const page = {
      records: papers.map((paper, i) => ({
        sourceId: `2501.${String(i).padStart(5, '0')}`,
        paper: scrapedPaper(paper, i),
        raw: paper,
      })),
      skipped: [],
      nextCursor: undefined,
      total: papers.length,
    };
    const tally = await ingestPage(deps, page, { startedAt: deps.clock.now().toISOString() });
    expect(tally).toMatchObject({ fetched: 4 });

    // The page's raw records are one S3 object (issue 14), and each paper's record is found in it.
    const stored = [...(s3.model.buckets.get('sherpa-data')?.keys() ?? [])];
    const rawPages = stored.filter((key) => key.startsWith('raw/'));
    expect(rawPages).toEqual([expect.stringMatching(/^raw\/arxiv\/pages\/[0-9a-f]{64}\.jsonl$/)]);
    for (const record of [page.records[0]!, page.records[3]!]) {
      expect(await readRawRecord(deps.blobs, rawPages[0]!, record.sourceId)).toEqual(record.raw);
    }
    expect(s3.model.writes.every((w) => w.ServerSideEncryption === 'AES256')).toBe(true);
    const queued = sqs.model.messagesOf('sherpa-judge.fifo');
    expect(queued).toHaveLength(4);
    const ids = await Promise.all(
      page.records.map(async (r) => (await deps.papers.findBySourceKey(`arxiv:${r.sourceId}`))?.id),
    );
    expect(new Set(queued.map((m) => m.groupId))).toEqual(new Set(ids));

    bedrock.respondWith(judgeReply);
    const worker = startJudgeJobs(deps, { waitSeconds: 1, maxWaitMs: 20 });
    try {
      await vi.waitFor(async () => expect((await deps.papers.countByState()).scraped ?? 0).toBe(0), {
        timeout: 15_000,
        interval: 100,
      });
    } finally {
      await worker.stop();
    }

    for (const id of ids) {
      const paper = await deps.papers.get(id as string);
      expect(['accepted', 'filtered', 'judge_rejected']).toContain(paper?.state);
      expect(paper?.verdict).toBeDefined();
      const [entry] = await deps.papers.audit(id as string);
      expect(entry).toMatchObject({ from: 'scraped', to: paper?.state });
    }
    await vi.waitFor(async () =>
      expect(await deps.queues.judge.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 }),
    );
    expect(bedrock.requests.length).toBeGreaterThan(0);
    const spent = await deps.ledger.summarize({ since: '2000-01-01T00:00:00.000Z' });
    expect(spent.inputTokens).toBeGreaterThan(0);
    expect([s3.unmatched, sqs.unmatched, search.unmatched]).toEqual([[], [], []]);
  });
});
