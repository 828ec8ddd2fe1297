import { join } from 'node:path';
import {
  FileBlobStore,
  openSherpaDatabase,
  SqliteCoordinationStore,
  SqliteCostLedger,
  SqlitePaperStore,
  SqliteSearchStore,
  SqliteWorkQueue,
} from '../adapters/embedded/index.js';
import {
  createOpenSearchClient,
  ensureIndices,
  indexNames,
  OpenSearchHttp,
} from '../adapters/opensearch/index.js';
import { createS3Client, S3BlobStore } from '../adapters/s3/index.js';
import { createSqsClient, SqsWorkQueue } from '../adapters/sqs/index.js';
import type { Config } from '../config/load-config.js';
import type { CoreDeps } from '../deps.js';
import { CodegenJobSchema, EvolveJobSchema, JudgeJobSchema, RunJobSchema } from '../domain/jobs.js';
import { ConfigError } from '../errors.js';
import type { BulkReport } from '../adapters/opensearch/index.js';
import { type BlobCopyReport, copyBlobs } from './copy-blobs.js';
import { copyRecords, type RecordCounts } from './copy-records.js';
import { moveQueueMessages, type QueueMoveReport } from './move-queue-messages.js';

export interface MigrationReport {
  dryRun: boolean;
  blobs: BlobCopyReport;
  records: RecordCounts;
  bulk: BulkReport[];
  ledgerSkipped: boolean;
  queues: QueueMoveReport;
  /** True when every blob and every document made it. */
  complete: boolean;
}

/**
 * Moves an embedded deployment (DATA_DIR) to the AWS services the same configuration names: blobs to S3_BUCKET,
 * papers, audit, evolve searches, ledger and coordination records to OPENSEARCH_URL, waiting jobs to the SQS
 * queues. Stop the bot first. Safe to re-run: blobs already in S3 are skipped and documents keep their ids.
 */
export async function migrateToAws(config: Config, options: { dryRun: boolean }): Promise<MigrationReport> {
  const { blob, queue, index } = config.storage;
  if (blob.kind !== 's3' || queue.kind !== 'sqs' || index.kind !== 'opensearch') {
    throw new ConfigError([
      'The migration needs the AWS targets: set S3_BUCKET, SQS_JUDGE_QUEUE_URL, SQS_CODEGEN_QUEUE_URL, SQS_RUN_QUEUE_URL and OPENSEARCH_URL (the stack outputs), with DATA_DIR pointing at the embedded data.',
    ]);
  }
  const region = config.aws.region;
  const database = openSherpaDatabase({ dataDir: config.dataDir });
  const s3 = createS3Client({ region });
  const sqs = createSqsClient(region);
  const http = new OpenSearchHttp(createOpenSearchClient(index, region), index.url);
  try {
    const names = indexNames(index.indexPrefix);
    await ensureIndices(http, names);
    const blobs = await copyBlobs(
      new FileBlobStore(join(config.dataDir, 'blobs')),
      new S3BlobStore({ client: s3, bucket: blob.bucket, prefix: blob.prefix }),
      options,
    );
    const ledgerIsEmpty = await isEmpty(http, names.alias('ledger'));
    const records = await copyRecords(
      {
        papers: new SqlitePaperStore(database),
        searches: new SqliteSearchStore(database),
        ledger: new SqliteCostLedger(database),
        coordination: new SqliteCoordinationStore(database),
      },
      { http, names, ledgerIsEmpty },
      options,
    );
    const embedded: CoreDeps['queues'] = {
      judge: new SqliteWorkQueue(database, { name: 'judge', schema: JudgeJobSchema }),
      codegen: new SqliteWorkQueue(database, { name: 'codegen', schema: CodegenJobSchema }),
      run: new SqliteWorkQueue(database, { name: 'run', schema: RunJobSchema }),
      evolve: new SqliteWorkQueue(database, { name: 'evolve', schema: EvolveJobSchema }),
    };
    const onSqs: CoreDeps['queues'] = {
      judge: new SqsWorkQueue({
        client: sqs,
        name: 'judge',
        queueUrl: queue.judgeUrl,
        schema: JudgeJobSchema,
        region,
      }),
      codegen: new SqsWorkQueue({
        client: sqs,
        name: 'codegen',
        queueUrl: queue.codegenUrl,
        schema: CodegenJobSchema,
        region,
      }),
      run: new SqsWorkQueue({
        client: sqs,
        name: 'run',
        queueUrl: queue.runUrl,
        schema: RunJobSchema,
        region,
      }),
      ...(queue.evolveUrl
        ? {
            evolve: new SqsWorkQueue({
              client: sqs,
              name: 'evolve',
              queueUrl: queue.evolveUrl,
              schema: EvolveJobSchema,
              region,
            }),
          }
        : {}),
    };
    const queues = await moveQueueMessages(embedded, onSqs, options);
    const complete = blobs.failed.length === 0 && records.reports.every((r) => r.failed === 0);
    return {
      dryRun: options.dryRun,
      blobs,
      records: records.counts,
      bulk: records.reports,
      ledgerSkipped: !ledgerIsEmpty,
      queues,
      complete,
    };
  } finally {
    database.close();
    s3.destroy();
    sqs.destroy();
    await http.raw.close();
  }
}

async function isEmpty(http: OpenSearchHttp, alias: string): Promise<boolean> {
  const reply = await http.call(`count ${alias}`, {
    method: 'POST',
    path: `/${alias}/_search`,
    body: { size: 0, track_total_hits: true },
  });
  const total = (reply.body as { hits?: { total?: { value?: number } } }).hits?.total?.value ?? 0;
  return total === 0;
}
