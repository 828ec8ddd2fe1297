import type { z } from 'zod';
import { SqliteWorkQueue } from '../adapters/embedded/index.js';
import type { CoreDeps } from '../deps.js';
import { CodegenJobSchema, EvolveJobSchema, JudgeJobSchema, RunJobSchema } from '../domain/jobs.js';
import type { QueueName, WorkQueue } from '../ports/work-queue.js';
import type { StorageContext } from './storage-context.js';

/**
 * The work queues: SQLite tables in `DATA_DIR/sherpa.db`, or SQS FIFO (`SQS_*_QUEUE_URL`). On SQS the evolve queue
 * exists only where SQS_EVOLVE_QUEUE_URL is set (stacks from before issue 13 lack it; see `load-config.ts`).
 */
export async function createQueues(context: StorageContext): Promise<CoreDeps['queues']> {
  const queue = context.config.storage.queue;
  switch (queue.kind) {
    case 'sqlite': {
      const embedded = <T>(name: QueueName, schema: z.ZodType<T>): WorkQueue<T> =>
        new SqliteWorkQueue(context.database(), {
          name,
          schema,
          clock: context.clock,
          sleep: context.sleep,
          maxAttempts: context.maxQueueAttempts,
        });
      return {
        judge: embedded('judge', JudgeJobSchema),
        codegen: embedded('codegen', CodegenJobSchema),
        run: embedded('run', RunJobSchema),
        evolve: embedded('evolve', EvolveJobSchema),
      };
    }
    case 'sqs': {
      // Dead-lettering is the queues' RedrivePolicy (maxReceiveCount in infra/sherpa.yaml), not maxQueueAttempts.
      const region = context.config.aws.region;
      // Imported only in AWS mode: the embedded bot never loads the SQS SDK (issue 14, lean bot).
      const { createSqsClient, SqsWorkQueue } = await import('../adapters/sqs/index.js');
      const client = createSqsClient(region);
      context.onClose(() => client.destroy());
      const sqs = <T>(name: QueueName, schema: z.ZodType<T>, queueUrl: string): WorkQueue<T> =>
        new SqsWorkQueue({
          client,
          name,
          queueUrl,
          schema,
          region,
          clock: context.clock,
          logger: context.logger,
        });
      return {
        judge: sqs('judge', JudgeJobSchema, queue.judgeUrl),
        codegen: sqs('codegen', CodegenJobSchema, queue.codegenUrl),
        run: sqs('run', RunJobSchema, queue.runUrl),
        ...(queue.evolveUrl ? { evolve: sqs('evolve', EvolveJobSchema, queue.evolveUrl) } : {}),
      };
    }
  }
}
