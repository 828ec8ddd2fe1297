import { join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  FileBlobStore,
  openSherpaDatabase,
  SqliteCoordinationStore,
  SqliteCostLedger,
  SqlitePaperStore,
  SqliteSearchStore,
  SqliteWorkQueue,
} from '../../src/adapters/embedded/index.js';
import {
  bulkIndex,
  ensureIndices,
  indexNames,
  OpenSearchCoordinationStore,
  OpenSearchCostLedger,
  OpenSearchHttp,
  OpenSearchPaperStore,
  OpenSearchSearchStore,
} from '../../src/adapters/opensearch/index.js';
import { loadConfig } from '../../src/config/load-config.js';
import { JudgeJobSchema } from '../../src/domain/jobs.js';
import { migrateToAws } from '../../src/migration/migrate-to-aws.js';
import { OpenSearchFault } from '../support/fake-opensearch/model.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../support/fake-opensearch.js';
import { startFakeS3, type FakeS3 } from '../support/fake-s3.js';
import { startFakeSqs, type FakeSqs } from '../support/fake-sqs.js';
import { scraped } from '../contracts/contract-support.js';
import { tempDataDir } from '../embedded/temp-data-dir.js';
import { hashOf, searchFixture, variant } from '../evolve/search-fixture.js';

describe('migrating an embedded deployment to S3, OpenSearch and SQS', () => {
  const dir = tempDataDir();
  let s3: FakeS3;
  let sqs: FakeSqs;
  let search: FakeOpenSearch;
  let config: ReturnType<typeof loadConfig>;
  const paperIds: string[] = [];

  beforeAll(async () => {
    [s3, sqs, search] = await Promise.all([startFakeS3(), startFakeSqs(), startFakeOpenSearch()]);
    s3.model.createBucket('sherpa-data');
    const urls: Record<string, string> = {};
    for (const name of ['judge', 'codegen', 'run']) {
      sqs.model.createQueue(`sherpa-${name}-dlq.fifo`);
      urls[name] = sqs.model.createQueue(`sherpa-${name}.fifo`, {
        deadLetterQueue: `sherpa-${name}-dlq.fifo`,
      });
    }
    vi.stubEnv('AWS_ENDPOINT_URL_S3', s3.url);
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', sqs.url);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAFAKEFAKEFAKEFAKE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'fake-secret');
    const dataDir = join(dir.path, 'data');
    config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_APP_TOKEN: 'xapp-1-A1-abc',
      SLACK_CHANNEL: 'C0123456789',
      APPROVERS: 'U0APPROVER1',
      DATA_DIR: dataDir,
      S3_BUCKET: 'sherpa-data',
      SQS_JUDGE_QUEUE_URL: urls.judge,
      SQS_CODEGEN_QUEUE_URL: urls.codegen,
      SQS_RUN_QUEUE_URL: urls.run,
      OPENSEARCH_URL: search.url,
      OPENSEARCH_AUTH: 'none',
    });

    // An embedded deployment with a bit of everything.
    const database = openSherpaDatabase({ dataDir });
    const papers = new SqlitePaperStore(database);
    for (const id of ['2503.00001', '2503.00002', '2503.00003']) {
      paperIds.push(
        (await papers.ingest(scraped({ sourceId: id, arxivId: id }), `raw/arxiv/${id}.json`)).paper.id,
      );
    }
    await papers.transition({
      paperId: paperIds[0] as string,
      from: 'scraped',
      to: 'accepted',
      actor: 'system:judge',
    });
    const ledger = new SqliteCostLedger(database);
    await ledger.record({
      at: '2026-11-20T10:00:00.000Z',
      paperId: paperIds[0],
      kind: 'llm',
      resource: 'haiku',
      purpose: 'judge',
      inputTokens: 900,
      outputTokens: 90,
      usd: 0.0014,
    });
    await ledger.record({
      at: '2026-11-21T10:00:00.000Z',
      paperId: paperIds[0],
      kind: 'instance',
      resource: 'i-0abc',
      purpose: 'run',
      seconds: 600,
      usd: 0.22,
    });
    await new SqliteCoordinationStore(database).put('cursor:arxiv', { after: '2026-11-20' });
    // Evolve searches: one that ended on paper 1, and a live one on paper 2 in the middle of generation 1.
    const searches = new SqliteSearchStore(database);
    const ended = searchFixture({ id: 's_ended', paperId: paperIds[0] as string, state: 'finished' });
    await searches.create(ended);
    await searches.create(
      searchFixture({
        id: 's_1',
        paperId: paperIds[1] as string,
        state: 'running',
        generation: 1,
        variants: [
          variant(1, 0, hashOf('b'), undefined, {
            status: 'running',
            failureClass: undefined,
            run: { runId: 'r_s_1.g1.v0', dispatchKey: 'k_s_1.g1.v0' },
          }),
        ],
        leaderboardTs: '1733390000.000100',
      }),
    );
    const judge = new SqliteWorkQueue(database, { name: 'judge', schema: JudgeJobSchema });
    await judge.send(
      { paperId: paperIds[1] as string },
      { dedupeId: `judge:${paperIds[1]}`, groupId: paperIds[1] as string },
    );
    await judge.send(
      { paperId: paperIds[2] as string },
      { dedupeId: `judge:${paperIds[2]}`, groupId: paperIds[2] as string },
    );
    database.close();
    const blobs = new FileBlobStore(join(dataDir, 'blobs'));
    await blobs.put('raw/arxiv/2503.00001.json', '{"id":"2503.00001"}');
    await blobs.put('raw/pdf/2503.00001.pdf', new Uint8Array(2 * 1024 * 1024).fill(37));
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await Promise.all([s3.close(), sqs.close(), search.close()]);
    dir.remove();
  });

  it('counts without writing on a dry run', async () => {
    const report = await migrateToAws(config, { dryRun: true });
    expect(report.records).toEqual({ papers: 3, searches: 2, ledger: 2, coordination: 1 });
    expect(report.blobs.copied).toBe(2);
    expect(report.queues.moved).toEqual({ judge: 2, codegen: 0, run: 0 });
    expect(s3.model.writes).toEqual([]);
    expect(sqs.model.messagesOf('sherpa-judge.fifo')).toHaveLength(0);
  });

  it('moves blobs, papers with audit and dedup keys, costs, coordination and waiting jobs', async () => {
    const report = await migrateToAws(config, { dryRun: false });
    expect(report.complete).toBe(true);
    expect(report.blobs).toMatchObject({ copied: 2, alreadyThere: 0, failed: [] });
    const pdf = s3.model.buckets.get('sherpa-data')?.get('raw/pdf/2503.00001.pdf');
    expect(pdf?.body.length).toBe(2 * 1024 * 1024);

    const http = new OpenSearchHttp(new Client({ node: search.url }), search.url);
    const names = indexNames('sherpa');
    const store = new OpenSearchPaperStore({ http, names });
    const moved = await store.get(paperIds[0] as string);
    expect(moved).toMatchObject({ state: 'accepted', version: 2 });
    expect(await store.audit(paperIds[0] as string)).toMatchObject([
      { from: 'scraped', to: 'accepted', actor: 'system:judge' },
    ]);
    expect((await store.findBySourceKey('arxiv:2503.00002'))?.id).toBe(paperIds[1]);
    // The dedup claims came along: ingesting the same preprint again finds it.
    expect(await store.ingest(scraped({ sourceId: '2503.00003', arxivId: '2503.00003' }))).toMatchObject({
      kind: 'unchanged',
    });
    expect(await store.countByState()).toEqual({ accepted: 1, scraped: 2 });

    const costs = await new OpenSearchCostLedger({ http, names }).summarize({
      since: '2026-01-01T00:00:00.000Z',
    });
    expect(costs).toMatchObject({ inputTokens: 900, outputTokens: 90, instanceSeconds: 600 });
    expect(costs.usd).toBeCloseTo(0.2214, 10);
    // Every search with all its record, and the live one live (its paper claimed), so a bot on AWS resumes it.
    const searches = new OpenSearchSearchStore({ http, names });
    const live = await searches.get('s_1');
    expect(live).toMatchObject({ state: 'running', generation: 1, leaderboardTs: '1733390000.000100' });
    expect(live?.variants.map((v) => v.run?.dispatchKey)).toEqual(['k_s_1.g1.v0']);
    expect((await searches.get('s_ended'))?.state).toBe('finished');
    expect((await searches.liveFor(paperIds[1] as string))?.id).toBe('s_1');
    expect(await searches.liveFor(paperIds[0] as string)).toBeUndefined();
    expect((await searches.listLive()).map((s) => s.id)).toEqual(['s_1']);
    // The one-live-search-per-paper rule holds on the copy: a second search on paper 2 finds s_1.
    expect(
      await searches.create(searchFixture({ id: 's_again', paperId: paperIds[1] as string })),
    ).toMatchObject({ created: false, search: { id: 's_1' } });

    expect((await new OpenSearchCoordinationStore({ http, names }).get('cursor:arxiv'))?.value).toEqual({
      after: '2026-11-20',
    });

    expect(report.queues.moved).toEqual({ judge: 2, codegen: 0, run: 0 });
    expect(sqs.model.messagesOf('sherpa-judge.fifo').map((m) => JSON.parse(m.body))).toEqual([
      { paperId: paperIds[1] },
      { paperId: paperIds[2] },
    ]);
  });

  it('is safe to run again: nothing is copied twice', async () => {
    const again = await migrateToAws(config, { dryRun: false });
    expect(again.complete).toBe(true);
    expect(again.blobs).toMatchObject({ copied: 0, alreadyThere: 2 });
    expect(again.ledgerSkipped).toBe(true);
    const http = new OpenSearchHttp(new Client({ node: search.url }), search.url);
    const searches = new OpenSearchSearchStore({ http, names: indexNames('sherpa') });
    expect((await searches.listLive()).map((s) => s.id)).toEqual(['s_1']);
    expect((await searches.get('s_1'))?.version).toBe(1);
    expect(search.model.resolve('sherpa-searches').docs.size).toBe(2);
    expect(again.queues.moved).toEqual({ judge: 0, codegen: 0, run: 0 });
    expect(sqs.model.messagesOf('sherpa-judge.fifo')).toHaveLength(2);
    expect([s3.unmatched, sqs.unmatched, search.unmatched]).toEqual([[], [], []]);
  });
});

describe('bulk indexing', () => {
  it('retries items OpenSearch throttles and counts, never drops, the ones it refuses', async () => {
    const fake = await startFakeOpenSearch();
    const http = new OpenSearchHttp(new Client({ node: fake.url }), fake.url);
    const names = indexNames('sherpa');
    await ensureIndices(http, names);
    let throttled = false;
    fake.model.bulkFault = (_action, _index, id) => {
      if (id === 'k:throttled' && !throttled) {
        throttled = true;
        return new OpenSearchFault(
          429,
          'es_rejected_execution_exception',
          'rejected execution of coordinating operation',
        );
      }
      return id === 'k:bad'
        ? new OpenSearchFault(400, 'mapper_parsing_exception', 'failed to parse field [paperId]')
        : undefined;
    };
    const items = ['k:1', 'k:throttled', 'k:bad', 'k:2'].map((id) => ({
      id,
      source: { paperId: `p_${id}` },
    }));
    const report = await bulkIndex(http, names.alias('paper-keys'), items);
    expect(report).toMatchObject({ total: 4, successful: 3, failed: 1 });
    expect(report.failures).toEqual([
      { id: 'k:bad', status: 400, reason: 'mapper_parsing_exception: failed to parse field [paperId]' },
    ]);
    expect(throttled).toBe(true);
    expect(fake.model.source('sherpa-paper-keys', 'k:throttled')).toEqual({ paperId: 'p_k:throttled' });
    // A document the strict mapping refuses is a counted failure too.
    const strict = await bulkIndex(http, names.alias('paper-keys'), [
      { id: 'k:3', source: { paperId: 'p', extra: 1 } },
    ]);
    expect(strict.failures[0]).toMatchObject({ id: 'k:3', status: 400 });
    expect(strict.failures[0]?.reason).toMatch(/^strict_dynamic_mapping_exception/);
    await fake.close();
  });
});
