import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openSherpaDatabase,
  SqliteWorkQueue,
  type SherpaDatabase,
} from '../../src/adapters/embedded/index.js';
import { JudgeJobSchema, type JudgeJob } from '../../src/domain/jobs.js';
import { PermanentError, TransientError } from '../../src/errors.js';
import type { ReceivedMessage } from '../../src/ports/work-queue.js';
import { startQueueConsumer, type QueueConsumerOptions } from '../../src/queue/queue-consumer.js';
import { retryDelaySeconds } from '../../src/queue/retry-delay.js';
import { capturedLogger } from '../support/captured-logger.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { countEventLoopTurns } from '../support/event-loop-turns.js';
import { until } from './until.js';

describe('the queue consumer on the embedded queue and a virtual clock', () => {
  let database: SherpaDatabase;
  let clock: VirtualClock;
  let queue: SqliteWorkQueue<JudgeJob>;
  let stop: AbortController;
  const { logger, lines } = capturedLogger('debug');
  const send = (paperId: string) =>
    queue.send({ paperId }, { dedupeId: `judge:${paperId}`, groupId: paperId });
  const start = (
    options: Partial<QueueConsumerOptions<JudgeJob>> & Pick<QueueConsumerOptions<JudgeJob>, 'handle'>,
  ) =>
    startQueueConsumer({
      queue,
      visibilitySeconds: 30,
      waitSeconds: 1,
      logger,
      clock,
      sleep: clock.sleep,
      signal: stop.signal,
      random: () => 0.5,
      ...options,
    });

  beforeEach(() => {
    database = openSherpaDatabase({ dataDir: ':memory:' });
    clock = new VirtualClock();
    queue = new SqliteWorkQueue(database, {
      name: 'judge',
      schema: JudgeJobSchema,
      clock,
      sleep: clock.sleep,
      maxAttempts: 3,
      maxPollIntervalMs: 250,
    });
    stop = new AbortController();
    lines.length = 0;
  });
  afterEach(() => database.close());

  it('acks a handled message', async () => {
    const seen: string[] = [];
    await send('p1');
    const consumer = start({ handle: async (m) => void seen.push(m.body.paperId) });
    await until(() => seen.length === 1);
    await until(() => lines.some((l) => l.msg === 'message handled'));
    await consumer.stop();
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
  });

  it('extends visibility while a long job runs, so it is handled once', async () => {
    const calls: number[] = [];
    const extended: number[] = [];
    const extend = queue.extend.bind(queue);
    queue.extend = async (message, seconds) => {
      extended.push(clock.now().getTime());
      return extend(message, seconds);
    };
    await send('slow');
    const consumer = start({
      slots: 2,
      handle: async () => {
        calls.push(clock.now().getTime());
        await clock.sleep(120_000); // four visibility timeouts
      },
    });
    await until(() => lines.some((l) => l.msg === 'message handled'));
    await consumer.stop();
    expect(calls).toHaveLength(1);
    // Every third of the 30 s visibility: 12 beats in 120 s (the last may race the job's end).
    expect(extended.length).toBeGreaterThanOrEqual(11);
    expect(extended.length).toBeLessThanOrEqual(12);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
  });

  it('retries a TransientError after the time the server asked, then succeeds', async () => {
    const calls: number[] = [];
    await send('p2');
    const consumer = start({
      handle: async () => {
        calls.push(clock.now().getTime());
        if (calls.length === 1) throw new TransientError('throttled', { retryAfterMs: 7_500 });
      },
    });
    await until(() => calls.length === 2);
    await consumer.stop();
    expect((calls[1] as number) - (calls[0] as number)).toBeGreaterThanOrEqual(8_000);
    expect((calls[1] as number) - (calls[0] as number)).toBeLessThan(9_500);
    expect(await queue.depth()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('retries with jittered exponential backoff, and dead-letters after the last receive', async () => {
    const calls: number[] = [];
    await send('p3');
    const consumer = start({
      retry: { baseSeconds: 10, maxSeconds: 600 },
      handle: async () => {
        calls.push(clock.now().getTime());
        throw new TransientError('Bedrock is down');
      },
    });
    await until(() => calls.length === 3);
    await until(() => lines.filter((l) => l.msg === 'message failed; releasing it for a retry').length === 3);
    const gaps = [(calls[1] as number) - (calls[0] as number), (calls[2] as number) - (calls[1] as number)];
    // random() = 0.5 → 75 % of 10 s, then of 20 s (plus at most one poll interval).
    expect(gaps[0]).toBeGreaterThanOrEqual(7_500);
    expect(gaps[0]).toBeLessThan(9_000);
    expect(gaps[1]).toBeGreaterThanOrEqual(15_000);
    expect(gaps[1]).toBeLessThan(16_500);
    // The third release is the last attempt: the next receive dead-letters the message instead of delivering it.
    await until(async () => (await queue.depth()).deadLettered === 1);
    expect(calls).toHaveLength(3);
    await consumer.stop();
    expect(await queue.deadLetters()).toEqual([
      expect.objectContaining({
        body: { paperId: 'p3' },
        attempts: 3,
        lastError: 'TransientError: Bedrock is down',
      }),
    ]);
  });

  it('spreads retries of one failure with jitter', async () => {
    const draws = [0, 0.999];
    const delays: number[] = [];
    const release = queue.release.bind(queue);
    queue.release = async (message, seconds, error) => {
      delays.push(seconds);
      return release(message, seconds, error);
    };
    await send('a');
    await send('b');
    const consumer = start({
      slots: 2,
      random: () => draws.shift() ?? 0.5,
      retry: { baseSeconds: 40, maxSeconds: 600 },
      handle: async (message) => {
        throw new TransientError(`down for ${message.body.paperId}`);
      },
    });
    await until(() => delays.length === 2);
    await consumer.stop();
    // Equal jitter on a 40 s ceiling: between 20 s and 40 s, here the two ends.
    expect(delays.sort((x, y) => x - y)).toEqual([20, 40]);
  });

  it('reports a PermanentError once and acks it', async () => {
    const reported: Array<[ReceivedMessage<JudgeJob>, PermanentError]> = [];
    await send('p4');
    const consumer = start({
      handle: async () => {
        throw new PermanentError('paper has no abstract');
      },
      onPermanentFailure: async (message, error) => void reported.push([message, error]),
    });
    await until(() => reported.length === 1);
    await until(
      async () =>
        (await queue.depth()).visible === 0 && lines.some((l) => l.msg?.toString().includes('permanently')),
    );
    clock.advance(120_000);
    await consumer.stop();
    expect(reported[0]?.[1].message).toBe('paper has no abstract');
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
  });

  it('runs at most `slots` jobs at once, and receives only for free slots', async () => {
    let running = 0;
    let peak = 0;
    let done = 0;
    const asked: number[] = [];
    const receive = queue.receive.bind(queue);
    queue.receive = async (options) => {
      asked.push(options.max);
      return receive(options);
    };
    for (const id of ['a', 'b', 'c', 'd', 'e']) await send(id);
    const consumer = start({
      slots: 2,
      handle: async () => {
        running += 1;
        peak = Math.max(peak, running);
        await clock.sleep(5_000);
        running -= 1;
        done += 1;
      },
    });
    await until(() => done === 5);
    await consumer.stop();
    expect(peak).toBe(2);
    expect(Math.max(...asked)).toBe(2);
  });

  it('leaves a settled message to its handler (a run acks or releases it itself)', async () => {
    let handled = 0;
    await send('run');
    const consumer = start({
      handle: async (message) => {
        handled += 1;
        await queue.release(message, 600, 'every instance busy');
        return { kind: 'settled' };
      },
    });
    await until(() => lines.some((l) => l.msg === 'message handled'));
    await consumer.stop();
    // Not acked behind the handler's back: it waits out the handler's 600 s, then is offered again.
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 1, deadLettered: 0 });
    clock.advance(600_000);
    expect(await queue.depth()).toEqual({ visible: 1, inFlight: 0, deadLettered: 0 });
    expect(handled).toBe(1);
  });

  it('pauses receiving when a job asks, and takes messages again afterwards', async () => {
    const seen: Array<[string, number]> = [];
    await send('first');
    await send('second');
    const consumer = start({
      handle: async (message, context) => {
        seen.push([message.body.paperId, clock.now().getTime()]);
        if (message.body.paperId === 'first') context.pause(60);
      },
    });
    const startedAt = clock.now().getTime();
    await until(() => seen.length === 2);
    await consumer.stop();
    expect(seen.map(([id]) => id)).toEqual(['first', 'second']);
    expect((seen[1]?.[1] as number) - startedAt).toBeGreaterThanOrEqual(60_000);
    expect(lines.filter((l) => l.msg === 'receiving paused')).toHaveLength(1);
  });

  it('starts a large receive in slices, turning the event loop between them, each message once (issue 14)', async () => {
    for (let i = 0; i < 30; i += 1) await send(`p${i}`);
    const started: { paperId: string; turn: number }[] = [];
    const loop = countEventLoopTurns();
    const consumer = start({
      slots: 30,
      handle: async (m) => {
        // A handler's synchronous part (a store read, a parse) before its first await: 2 ms each.
        const until2ms = performance.now() + 2;
        while (performance.now() < until2ms);
        started.push({ paperId: m.body.paperId, turn: loop.turns() });
        await Promise.resolve();
      },
    });
    await until(() => started.length === 30);
    await consumer.stop();
    loop.stop();
    expect(new Set(started.map((s) => s.paperId)).size).toBe(30);
    // 60 ms of handler starts, cut into slices of a few ms: the loop turned between them.
    expect(started.at(-1)!.turn - started[0]!.turn).toBeGreaterThan(2);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
  });

  it('tells a job that its message was lost, and does not ack it', async () => {
    let signalled = false;
    await send('p7');
    const consumer = start({
      visibilitySeconds: 30,
      handle: async (_message, context) => {
        // Another consumer takes the message over (as if this one stalled past its visibility).
        clock.advance(31_000);
        const [taken] = await queue.receive({ max: 1, visibilitySeconds: 300 });
        expect(taken?.attempt).toBe(2);
        await clock.sleep(20_000);
        signalled = context.signal.aborted;
      },
    });
    await until(() => lines.some((l) => String(l.msg).includes('redelivered while being handled')));
    await consumer.stop();
    expect(signalled).toBe(true);
    expect(await queue.depth()).toMatchObject({ inFlight: 1 });
  });
});

describe('retryDelaySeconds', () => {
  it('honours Retry-After, grows exponentially with jitter, and caps', () => {
    expect(retryDelaySeconds(new TransientError('x', { retryAfterMs: 1_200 }), 1)).toBe(2);
    const backoff = { baseSeconds: 4, maxSeconds: 30 };
    expect(retryDelaySeconds(new Error('x'), 1, backoff, () => 0)).toBe(2);
    expect(retryDelaySeconds(new Error('x'), 1, backoff, () => 0.999)).toBe(4);
    expect(retryDelaySeconds(new Error('x'), 3, backoff, () => 0.999)).toBe(16);
    expect(retryDelaySeconds(new Error('x'), 10, backoff, () => 0.999)).toBe(30);
  });
});
