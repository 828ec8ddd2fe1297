import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqsWorkQueue } from '../../src/adapters/sqs/index.js';
import { JudgeJobSchema, type JudgeJob } from '../../src/domain/jobs.js';
import { TransientError } from '../../src/errors.js';
import { startQueueConsumer, type QueueConsumerOptions } from '../../src/queue/queue-consumer.js';
import { capturedLogger } from '../support/captured-logger.js';
import { SqsModel } from '../support/fake-sqs.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { until } from './until.js';

const MINUTE = 60_000;

/**
 * The consumer over the real SqsWorkQueue, whose SQS client is mocked (aws-sdk-client-mock) onto the fake's
 * SqsModel and a virtual clock: ReceiveMessage holds for its WaitTimeSeconds of virtual time unless a message
 * arrives, as SQS's long poll does, so minutes of polling run in milliseconds and calls can be counted.
 */
describe('the queue consumer on SQS', () => {
  let clock: VirtualClock;
  let model: SqsModel;
  let client: SQSClient;
  let mock: ReturnType<typeof mockClient>;
  let queue: SqsWorkQueue<JudgeJob>;
  const { logger, lines } = capturedLogger('debug');

  beforeEach(() => {
    clock = new VirtualClock();
    model = new SqsModel('https://sqs.us-east-1.amazonaws.com', () => clock.now().getTime());
    model.createQueue('sherpa-judge-dlq.fifo');
    const url = model.createQueue('sherpa-judge.fifo', {
      deadLetterQueue: 'sherpa-judge-dlq.fifo',
      maxReceiveCount: 3,
    });
    client = new SQSClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake' },
    });
    mock = mockClient(client);
    mock.on(ReceiveMessageCommand).callsFake(async (input: Parameters<SqsModel['receiveMessage']>[0]) => {
      const { WaitTimeSeconds } = input as { WaitTimeSeconds?: number };
      const deadline = clock.now().getTime() + (WaitTimeSeconds ?? 0) * 1000;
      for (;;) {
        const output = model.receiveMessage(input);
        if (output.Messages.length > 0 || clock.now().getTime() >= deadline) return output;
        await clock.sleep(Math.min(1_000, deadline - clock.now().getTime()));
      }
    });
    mock.on(SendMessageCommand).callsFake((input) => model.sendMessage(input));
    mock.on(ChangeMessageVisibilityCommand).callsFake((input) => model.changeMessageVisibility(input));
    mock.on(DeleteMessageCommand).callsFake((input) => model.deleteMessage(input));
    queue = new SqsWorkQueue({
      client,
      name: 'judge',
      queueUrl: url,
      schema: JudgeJobSchema,
      region: 'us-east-1',
      clock,
      logger,
    });
    lines.length = 0;
  });
  afterEach(() => {
    mock.restore();
    client.destroy();
  });

  const start = (options: Partial<QueueConsumerOptions<JudgeJob>> = {}) =>
    startQueueConsumer<JudgeJob>({
      queue,
      visibilitySeconds: 30,
      logger,
      clock,
      sleep: clock.sleep,
      random: () => 0.5,
      handle: async () => undefined,
      ...options,
    });
  const receives = () => mock.commandCalls(ReceiveMessageCommand).map((call) => call.args[0].input);
  const send = (paperId: string) =>
    queue.send({ paperId }, { dedupeId: `judge:${paperId}`, groupId: paperId });

  it('long-polls 20 s at a time: an idle consumer makes 15 receives in 5 minutes, not hundreds', async () => {
    const consumer = start({ slots: 2 });
    await clock.sleep(5 * MINUTE);
    await consumer.stop();
    expect(receives().every((input) => input.WaitTimeSeconds === 20)).toBe(true);
    // 300 s / 20 s = 15 long polls (one more may have begun at the very end). Issue 11 measured 608.
    expect(receives().length).toBeGreaterThanOrEqual(15);
    expect(receives().length).toBeLessThanOrEqual(16);
  });

  it('still takes a message at once when it arrives during a long poll', async () => {
    const handled: number[] = [];
    const consumer = start({ handle: async () => void handled.push(clock.now().getTime()) });
    await clock.sleep(45_000);
    const sentAt = clock.now().getTime();
    await send('p1');
    await until(() => handled.length === 1);
    await consumer.stop();
    expect((handled[0] as number) - sentAt).toBeLessThanOrEqual(1_000);
  });

  it('extends the visibility with ChangeMessageVisibility while a long job runs, then deletes it', async () => {
    let runs = 0;
    await send('long');
    const consumer = start({
      handle: async () => {
        runs += 1;
        await clock.sleep(3 * MINUTE); // six visibility timeouts
      },
    });
    await until(() => lines.some((l) => l.msg === 'message handled'), 50_000);
    await consumer.stop();
    const extensions = mock.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input);
    expect(extensions.length).toBeGreaterThanOrEqual(17); // every 10 s for 180 s
    expect(extensions.every((input) => input.VisibilityTimeout === 30)).toBe(true);
    expect(runs).toBe(1);
    expect(mock.commandCalls(DeleteMessageCommand)).toHaveLength(1);
    expect(model.messagesOf('sherpa-judge.fifo')).toHaveLength(0);
  });

  it('retries with backoff and leaves the dead-lettering to the redrive policy after maxReceiveCount', async () => {
    const attempts: number[] = [];
    await send('doomed');
    const consumer = start({
      retry: { baseSeconds: 2, maxSeconds: 10 },
      handle: async (message) => {
        attempts.push(message.attempt);
        throw new TransientError('Bedrock is down');
      },
    });
    await until(() => model.messagesOf('sherpa-judge-dlq.fifo').length === 1, 50_000);
    await consumer.stop();
    expect(attempts).toEqual([1, 2, 3]);
    expect(model.messagesOf('sherpa-judge.fifo')).toHaveLength(0);
    expect(JSON.parse(model.messagesOf('sherpa-judge-dlq.fifo')[0]?.body ?? '{}')).toEqual({
      paperId: 'doomed',
    });
  });

  it('ends its long poll at once on stop', async () => {
    const consumer = start();
    await clock.sleep(5_000);
    const stoppedAt = clock.now().getTime();
    await consumer.stop();
    expect(clock.now().getTime()).toBe(stoppedAt);
    expect(receives()).toHaveLength(1);
  });
});
