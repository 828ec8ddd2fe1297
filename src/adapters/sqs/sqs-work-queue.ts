import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { z } from 'zod';
import { StaleReceiptError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import type {
  DeadLetter,
  QueueDepth,
  QueueName,
  ReceivedMessage,
  SendOptions,
  WorkQueue,
} from '../../ports/work-queue.js';
import { awsErrorName } from '../aws-errors.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import { ATTRIBUTE, QueueCountsSchema, type ReceivedSqsMessage, ReceiveOutputSchema } from './schema.js';
import { sqsCall, sqsError } from './sqs-calls.js';
import { fifoId } from './sqs-ids.js';
import { WaitingList } from './waiting-list.js';

export interface SqsWorkQueueOptions<T> {
  client: SQSClient;
  name: QueueName;
  queueUrl: string;
  /** Bodies are parsed with this on send and on every delivery: a queue is a boundary. */
  schema: z.ZodType<T>;
  region: string;
  clock?: Clock;
  logger?: Logger;
}

/** Errors meaning "this receipt is not the current delivery any more". */
const STALE_RECEIPT = new Set([
  'ReceiptHandleIsInvalid',
  'MessageNotInflight',
  'AWS.SimpleQueueService.MessageNotInflight',
  'InvalidParameterValue',
]);
const SQS_MAX_WAIT_SECONDS = 20;
const SQS_MAX_VISIBILITY_SECONDS = 43_200;

/**
 * WorkQueue on an SQS FIFO queue: the paper id is the message group (one job per paper at a time, in order),
 * Sherpa's dedupe id is the deduplication id (SQS keeps it for 5 minutes), receives long-poll, a worker's
 * heartbeat extends visibility with ChangeMessageVisibility, acks delete with the latest receipt, and the
 * redrive policy moves a message to the FIFO dead-letter queue after `maxReceiveCount` deliveries.
 *
 * FIFO queues have no per-message delay, so `delaySeconds` on send travels as a `sherpa-not-before` attribute:
 * the first receive after it is due hides the message until then (one extra SQS delivery, not counted as an
 * attempt), which also holds back the rest of its group, as a delay in a FIFO group should.
 */
export class SqsWorkQueue<T> implements WorkQueue<T> {
  readonly name: QueueName;
  private readonly client: SQSClient;
  private readonly url: string;
  private readonly schema: z.ZodType<T>;
  private readonly region: string;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly dlq: DeadLetterQueue;
  private readonly waiting = new WaitingList();
  /** Message id → dedupe id of deliveries this process holds (for position bookkeeping). */
  private readonly held = new Map<string, string>();
  /** The last error a worker gave when releasing a message, shown with its dead letter. */
  private readonly lastErrors = new Map<string, string>();

  constructor(options: SqsWorkQueueOptions<T>) {
    this.name = options.name;
    this.client = options.client;
    this.url = options.queueUrl;
    this.schema = options.schema;
    this.region = options.region;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.dlq = new DeadLetterQueue(this.client, this.url, this.region);
  }

  async send(body: T, options: SendOptions): Promise<{ messageId: string; duplicate: boolean }> {
    const parsed = this.schema.parse(body);
    const dedupeId = fifoId(options.dedupeId);
    const delay = options.delaySeconds ?? 0;
    const notBefore =
      delay > 0 ? new Date(this.clock.now().getTime() + delay * 1000).toISOString() : undefined;
    const output = await sqsCall('SendMessage', this.url, this.region, `queue a ${this.name} job`, () =>
      this.client.send(
        new SendMessageCommand({
          QueueUrl: this.url,
          MessageBody: JSON.stringify(parsed),
          MessageGroupId: fifoId(options.groupId),
          MessageDeduplicationId: dedupeId,
          ...(notBefore
            ? { MessageAttributes: { [ATTRIBUTE.notBefore]: { DataType: 'String', StringValue: notBefore } } }
            : {}),
        }),
      ),
    );
    const messageId = output.MessageId ?? '';
    // SQS accepts a duplicate inside its window and answers with the original message id.
    const duplicate = this.waiting.knows(dedupeId, messageId);
    if (!duplicate) this.waiting.sent(dedupeId, messageId);
    this.waiting.prune(10_000);
    return { messageId, duplicate };
  }

  /**
   * One message per ReceiveMessage call, repeated up to `max`: a FIFO batch may hold several messages of one
   * group, but Sherpa works on one job per paper at a time, and while a group's message is in flight SQS
   * answers the next call from another group. Only the first call long-polls.
   */
  async receive(options: {
    max: number;
    visibilitySeconds: number;
    waitSeconds?: number;
    signal?: AbortSignal;
  }): Promise<ReceivedMessage<T>[]> {
    const delivered: ReceivedMessage<T>[] = [];
    let wait = Math.min(Math.ceil(options.waitSeconds ?? 0), SQS_MAX_WAIT_SECONDS);
    while (delivered.length < options.max && !options.signal?.aborted) {
      const batch = await this.receiveBatch(options.visibilitySeconds, wait, options.signal);
      if (batch === undefined || batch.length === 0) break;
      for (const message of batch) {
        const job = await this.accept(message);
        if (job) delivered.push(job);
      }
      wait = 0;
    }
    return delivered;
  }

  async extend(message: ReceivedMessage<T>, visibilitySeconds: number): Promise<ReceivedMessage<T>> {
    try {
      await this.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.url,
          ReceiptHandle: message.receipt,
          VisibilityTimeout: clampVisibility(visibilitySeconds),
        }),
      );
      return message;
    } catch (error) {
      if (STALE_RECEIPT.has(awsErrorName(error))) {
        throw new StaleReceiptError(
          `The ${this.name} message ${message.id} is no longer held by this receipt`,
          {
            cause: error,
            context: { queue: this.name, messageId: message.id, attempt: message.attempt },
          },
        );
      }
      throw sqsError(error, 'ChangeMessageVisibility', this.url, this.region, `extend a ${this.name} job`);
    }
  }

  async ack(message: ReceivedMessage<T>): Promise<void> {
    try {
      await this.client.send(
        new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: message.receipt }),
      );
      this.waiting.done(this.held.get(message.id));
      this.held.delete(message.id);
      this.lastErrors.delete(message.id);
    } catch (error) {
      if (!STALE_RECEIPT.has(awsErrorName(error))) {
        throw sqsError(error, 'DeleteMessage', this.url, this.region, `ack a ${this.name} job`);
      }
      // The message was redelivered since; its new holder decides. Nothing changes (port contract).
      this.logger?.warn({ queue: this.name, messageId: message.id }, 'ack with a stale receipt ignored');
    }
  }

  async release(message: ReceivedMessage<T>, delaySeconds: number, error?: string): Promise<void> {
    if (error !== undefined) this.lastErrors.set(message.id, error);
    try {
      await this.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.url,
          ReceiptHandle: message.receipt,
          VisibilityTimeout: clampVisibility(delaySeconds),
        }),
      );
      this.waiting.released(this.held.get(message.id));
    } catch (failure) {
      if (!STALE_RECEIPT.has(awsErrorName(failure))) {
        throw sqsError(
          failure,
          'ChangeMessageVisibility',
          this.url,
          this.region,
          `release a ${this.name} job`,
        );
      }
      this.logger?.warn({ queue: this.name, messageId: message.id }, 'release with a stale receipt ignored');
    }
  }

  /** From `ApproximateNumberOfMessages*`: SQS's counts are approximate by design (eventually consistent). */
  async depth(): Promise<QueueDepth> {
    const output = await sqsCall('GetQueueAttributes', this.url, this.region, `count ${this.name} jobs`, () =>
      this.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.url,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      ),
    );
    const counts = QueueCountsSchema.parse(output.Attributes ?? {});
    return {
      visible: counts.ApproximateNumberOfMessages + counts.ApproximateNumberOfMessagesDelayed,
      inFlight: counts.ApproximateNumberOfMessagesNotVisible,
      deadLettered: await this.dlq.count(),
    };
  }

  /** Best effort; see WaitingList for why SQS cannot say and what this process knows instead. */
  async position(dedupeId: string): Promise<number | undefined> {
    return this.waiting.position(fifoId(dedupeId));
  }

  async deadLetters(limit = 100): Promise<DeadLetter<T>[]> {
    return this.dlq.list(limit, this.schema, this.lastErrors);
  }

  async redrive(): Promise<number> {
    return this.dlq.redrive();
  }

  private async receiveBatch(visibilitySeconds: number, wait: number, signal?: AbortSignal) {
    try {
      const call = this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.url,
          MaxNumberOfMessages: 1,
          VisibilityTimeout: clampVisibility(visibilitySeconds),
          WaitTimeSeconds: wait,
          MessageSystemAttributeNames: [
            'ApproximateReceiveCount',
            'MessageGroupId',
            'MessageDeduplicationId',
          ],
          MessageAttributeNames: ['All'],
        }),
        signal ? { abortSignal: signal } : {},
      );
      const output = await untilAborted(call, signal);
      return output === undefined ? undefined : (ReceiveOutputSchema.parse(output).Messages ?? []);
    } catch (error) {
      if (signal?.aborted) return undefined;
      throw sqsError(error, 'ReceiveMessage', this.url, this.region, `receive ${this.name} jobs`);
    }
  }

  /** A delivery becomes a job, is deferred until its not-before time, or goes to the dead-letter queue. */
  private async accept(message: ReceivedSqsMessage): Promise<ReceivedMessage<T> | undefined> {
    const dedupeId = message.Attributes.MessageDeduplicationId;
    const notBefore = message.MessageAttributes?.[ATTRIBUTE.notBefore]?.StringValue;
    const receives = message.Attributes.ApproximateReceiveCount ?? 1;
    if (notBefore) {
      const waitMs = Date.parse(notBefore) - this.clock.now().getTime();
      if (waitMs > 0) {
        await this.client
          .send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: this.url,
              ReceiptHandle: message.ReceiptHandle,
              VisibilityTimeout: clampVisibility(Math.ceil(waitMs / 1000)),
            }),
          )
          .catch((error: unknown) =>
            this.logger?.warn({ err: error, queue: this.name }, 'could not defer a delayed job'),
          );
        return undefined;
      }
    }
    let body: unknown;
    try {
      body = JSON.parse(message.Body);
    } catch {
      body = undefined;
    }
    const parsed = this.schema.safeParse(body);
    if (!parsed.success) {
      this.logger?.error(
        { queue: this.name, messageId: message.MessageId },
        'unreadable job moved to the dead-letter queue',
      );
      await this.dlq.quarantine(message, `body did not match the ${this.name} job schema`);
      this.waiting.done(dedupeId);
      return undefined;
    }
    if (dedupeId !== undefined) this.held.set(message.MessageId, dedupeId);
    this.waiting.delivered(dedupeId);
    // The one deferral of a delayed message is SQS bookkeeping, not a work attempt.
    const attempt = notBefore ? Math.max(1, receives - 1) : receives;
    return {
      id: message.MessageId,
      body: parsed.data,
      receipt: message.ReceiptHandle,
      attempt,
      ...(dedupeId !== undefined ? { dedupeId } : {}),
    };
  }
}

/**
 * Resolves with the call's result, or with undefined as soon as the signal aborts (shutdown must not wait out a
 * 20-second long poll). A message the abandoned call still receives stays invisible until its visibility
 * timeout and is then delivered again: at-least-once, nothing lost.
 */
async function untilAborted<R>(call: Promise<R>, signal: AbortSignal | undefined): Promise<R | undefined> {
  if (!signal) return call;
  if (signal.aborted) {
    call.catch(() => undefined);
    return undefined;
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    call.catch(() => undefined);
  }
}

function clampVisibility(seconds: number): number {
  return Math.min(SQS_MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(seconds)));
}
