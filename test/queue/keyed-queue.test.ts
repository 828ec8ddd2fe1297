import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  openSherpaDatabase,
  SqliteCoordinationStore,
  SqlitePaperStore,
} from '../../src/adapters/embedded/index.js';
import type { SherpaDatabase } from '../../src/adapters/embedded/index.js';
import { createSqsClient, SqsWorkQueue } from '../../src/adapters/sqs/index.js';
import { requeueStrandedCodegen } from '../../src/codegen/requeue-stranded.js';
import { CodegenJobSchema, type CodegenJob, JudgeJobSchema, type JudgeJob } from '../../src/domain/jobs.js';
import { ingestPage } from '../../src/ingest/ingest-page.js';
import { requeueUnjudged } from '../../src/judge/requeue-unjudged.js';
import { createLogger } from '../../src/logging/logger.js';
import { KeyedQueue } from '../../src/queue/keyed-queue.js';
import { startFakeSqs, type FakeSqs } from '../support/fake-sqs.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';
import { ingestAccepted, scrapedFromFixture } from '../support/sample-papers.js';

/**
 * Issue 10, build item 4, with SQS: the sweeps re-send only what has no message, and a copy that gets past
 * SQS's five-minute deduplication window is dropped by the processed-key record before any work is done.
 */
const logger = createLogger({ level: 'silent' });
let fake: FakeSqs;
let nowMs = Date.parse('2026-11-23T09:00:00Z');
const clock = { now: () => new Date(nowMs) };
const advanceMinutes = (minutes: number) => (nowMs += minutes * 60_000);
let database: SherpaDatabase;
let sqs: SqsWorkQueue<CodegenJob>;
let keyed: KeyedQueue<CodegenJob>;
const QUEUE = 'sherpa-codegen.fifo';

beforeAll(async () => {
  fake = await startFakeSqs(() => nowMs);
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', fake.url);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAFAKEFAKEFAKEFAKE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'fake-secret');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await fake.close();
});
beforeEach(() => {
  fake.model.queues.clear();
  fake.model.createQueue('sherpa-codegen-dlq.fifo');
  const queueUrl = fake.model.createQueue(QUEUE, {
    deadLetterQueue: 'sherpa-codegen-dlq.fifo',
    maxReceiveCount: 5,
  });
  sqs = new SqsWorkQueue({
    client: createSqsClient('us-east-1'),
    name: 'codegen',
    queueUrl,
    schema: CodegenJobSchema,
    region: 'us-east-1',
    clock,
  });
  database = openSherpaDatabase({ dataDir: ':memory:' });
  keyed = new KeyedQueue(sqs, new SqliteCoordinationStore(database, { clock }), logger);
});
afterEach(() => {
  database.close();
  expect(fake.unmatched).toEqual([]);
});

const job = { paperId: 'p_1', requestedBy: 'U1' };
const options = { dedupeId: 'codegen:p_1:1', groupId: 'p_1' };

describe('KeyedQueue over SQS (loopback fake)', () => {
  it('does not send a job again after the deduplication window when it was already sent', async () => {
    await keyed.send(job, options);
    advanceMinutes(10);
    const again = await keyed.send(job, options);
    expect(again.duplicate).toBe(true);
    expect(fake.model.messagesOf(QUEUE)).toHaveLength(1);
  });

  it('drops a copy that got past the window once the job was processed, without handing it to a worker', async () => {
    await keyed.send(job, options);
    const [first] = await keyed.receive({ max: 1, visibilitySeconds: 30 });
    expect(first?.dedupeId).toBe(options.dedupeId);
    await keyed.ack(first!);
    // A copy sent behind the record's back (a crash between a send and its record), past SQS's window.
    advanceMinutes(10);
    expect((await sqs.send(job, options)).duplicate).toBe(false);

    expect(await keyed.receive({ max: 1, visibilitySeconds: 30 })).toEqual([]);
    expect(fake.model.messagesOf(QUEUE)).toHaveLength(0);
  });

  it('lets the stranded-code sweep send exactly one job for a request whose send was lost, however often it runs', async () => {
    const papers = new SqlitePaperStore(database, { clock });
    const paper = await ingestAccepted(papers, 1);
    // The transition committed; the process died before the send (no outbox onto SQS).
    await papers.transition({ paperId: paper.id, from: 'accepted', to: 'code_requested', actor: 'U1' });
    const deps = { papers, queues: { codegen: keyed } as never, logger, blobs: new MemoryBlobStore() };

    expect(await requeueStrandedCodegen(deps)).toBe(1);
    advanceMinutes(10);
    expect(await requeueStrandedCodegen(deps)).toBe(0);
    advanceMinutes(60);
    expect(await requeueStrandedCodegen(deps)).toBe(0);

    const messages = fake.model.messagesOf(QUEUE);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ dedupeId: `codegen:${paper.id}:1`, groupId: paper.id });
  });
});

describe('the unjudged-paper sweep over SQS (loopback fake)', () => {
  const JUDGE_QUEUE = 'sherpa-judge.fifo';
  const judgeQueue = (): KeyedQueue<JudgeJob> => {
    const queueUrl = fake.model.createQueue(JUDGE_QUEUE);
    const inner = new SqsWorkQueue({
      client: createSqsClient('us-east-1'),
      name: 'judge',
      queueUrl,
      schema: JudgeJobSchema,
      region: 'us-east-1',
      clock,
    });
    return new KeyedQueue(inner, new SqliteCoordinationStore(database, { clock }), logger);
  };

  it('sends exactly one judge job for a paper stored without one, none for one sent or judged', async () => {
    const papers = new SqlitePaperStore(database, { clock });
    const queue = judgeQueue();
    // A crash between the store and the send: stored in `scraped`, no message (no outbox onto SQS).
    const { paper: stranded } = await papers.ingest(scrapedFromFixture(0));
    // Stored and sent by the ingest itself, the way a page without a crash goes.
    const sent = scrapedFromFixture(1);
    const page = {
      records: [{ sourceId: sent.sourceId, paper: sent, raw: {} }],
      skipped: [],
      nextCursor: undefined,
      total: 1,
    };
    const deps = { papers, blobs: new MemoryBlobStore(), queues: { judge: queue }, logger };
    await ingestPage(deps, page, { startedAt: clock.now().toISOString() });
    // Judged already: left `scraped`, so it needs no job.
    const judged = await ingestAccepted(papers, 2);
    expect(fake.model.messagesOf(JUDGE_QUEUE)).toHaveLength(1);
    const sweep = { papers, queue, clock, logger };

    expect(await requeueUnjudged(sweep)).toBe(0); // within the grace period: its send may be on its way
    advanceMinutes(3);
    expect(await requeueUnjudged(sweep)).toBe(1);
    advanceMinutes(10); // past SQS's deduplication window: the sent-key record keeps it to one
    expect(await requeueUnjudged(sweep)).toBe(0);

    const messages = fake.model.messagesOf(JUDGE_QUEUE);
    expect(messages).toHaveLength(2);
    const sentId = (await papers.findBySourceKey(`arxiv:${sent.arxivId}`))?.id;
    expect(messages.map((message) => message.dedupeId).sort()).toEqual([stranded.id, sentId].sort());
    expect(messages.map((message) => message.dedupeId)).not.toContain(judged.id);
  });
});
