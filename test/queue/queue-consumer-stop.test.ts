import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openSherpaDatabase,
  SqliteWorkQueue,
  type SherpaDatabase,
} from '../../src/adapters/embedded/index.js';
import { JudgeJobSchema, type JudgeJob } from '../../src/domain/jobs.js';
import { startQueueConsumer, type QueueConsumerOptions } from '../../src/queue/queue-consumer.js';
import { capturedLogger } from '../support/captured-logger.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { until } from './until.js';

describe('stopping the queue consumer', () => {
  let database: SherpaDatabase;
  let clock: VirtualClock;
  let queue: SqliteWorkQueue<JudgeJob>;
  let receives: number;
  const { logger, lines } = capturedLogger('debug');
  const send = (paperId: string) =>
    queue.send({ paperId }, { dedupeId: `judge:${paperId}`, groupId: paperId });
  const start = (
    options: Partial<QueueConsumerOptions<JudgeJob>> & Pick<QueueConsumerOptions<JudgeJob>, 'handle'>,
  ) => startQueueConsumer({ queue, visibilitySeconds: 30, logger, clock, sleep: clock.sleep, ...options });

  beforeEach(() => {
    database = openSherpaDatabase({ dataDir: ':memory:' });
    clock = new VirtualClock();
    queue = new SqliteWorkQueue(database, {
      name: 'judge',
      schema: JudgeJobSchema,
      clock,
      sleep: clock.sleep,
    });
    receives = 0;
    const receive = queue.receive.bind(queue);
    queue.receive = (options) => {
      receives += 1;
      return receive(options);
    };
    lines.length = 0;
  });
  afterEach(() => database.close());

  it('stops receiving, lets the job in flight finish and acks it; the rest stays queued', async () => {
    let started = 0;
    let finishedAt = 0;
    await send('p5');
    await send('p6');
    const consumer = start({
      handle: async () => {
        started += 1;
        await clock.sleep(10_000);
        finishedAt = clock.now().getTime();
      },
    });
    await until(() => started === 1);
    const receivesAtStop = receives;
    await consumer.stop();
    expect(finishedAt).toBeGreaterThan(0);
    expect(clock.now().getTime()).toBe(finishedAt);
    expect(receives).toBe(receivesAtStop);
    expect(started).toBe(1);
    expect(await queue.depth()).toEqual({ visible: 1, inFlight: 0, deadLettered: 0 });
  });

  it('asks a job still running at the stop deadline to wrap up, and waits for it', async () => {
    let abortedAfterMs: number | undefined;
    await send('long');
    const consumer = start({
      stopDeadlineMs: 5_000,
      handle: async (message, context) => {
        await clock.sleep(3_600_000, context.signal);
        if (!context.signal.aborted) return;
        abortedAfterMs = clock.now().getTime() - stopAt;
        // As a run does: hand the message back for the next consumer at once.
        await queue.release(message, 0, 'shutting down');
        return { kind: 'settled' };
      },
    });
    await until(async () => (await queue.depth()).inFlight === 1);
    const stopAt = clock.now().getTime();
    await consumer.stop();
    expect(abortedAfterMs).toBe(5_000);
    expect(lines.some((l) => l.msg === 'stop deadline reached; jobs asked to wrap up')).toBe(true);
    expect(await queue.depth()).toEqual({ visible: 1, inFlight: 0, deadLettered: 0 });
  });

  it('with a deadline of 0 (runs), signals the job as the stop begins', async () => {
    let signalledAt: number | undefined;
    await send('run');
    const consumer = start({
      stopDeadlineMs: 0,
      handle: async (_message, context) => {
        await clock.sleep(3_600_000, context.signal);
        signalledAt = clock.now().getTime();
      },
    });
    await until(async () => (await queue.depth()).inFlight === 1);
    const stopAt = clock.now().getTime();
    await consumer.stop();
    expect(signalledAt).toBe(stopAt);
  });

  it('releases at once what it received as it stopped, without starting it', async () => {
    const stop = new AbortController();
    const handled: string[] = [];
    const receive = queue.receive;
    queue.receive = async (options) => {
      const messages = await receive(options);
      if (messages.length > 0) stop.abort(); // the stop lands while the messages are on their way
      return messages;
    };
    await send('a');
    await send('b');
    const consumer = start({
      slots: 2,
      signal: stop.signal,
      handle: async (m) => void handled.push(m.body.paperId),
    });
    await consumer.stopped;
    expect(handled).toEqual([]);
    expect(await queue.depth()).toEqual({ visible: 2, inFlight: 0, deadLettered: 0 });
  });
});
