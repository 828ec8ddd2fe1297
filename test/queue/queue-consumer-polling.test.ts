import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openSherpaDatabase,
  SqliteWorkQueue,
  type SherpaDatabase,
} from '../../src/adapters/embedded/index.js';
import { JudgeJobSchema, type JudgeJob } from '../../src/domain/jobs.js';
import type { Sleep } from '../../src/ports/sleep.js';
import { startQueueConsumer } from '../../src/queue/queue-consumer.js';
import { capturedLogger } from '../support/captured-logger.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { until } from './until.js';

const { logger } = capturedLogger('silent');

describe('polling the embedded queue with backoff', () => {
  let database: SherpaDatabase;
  let clock: VirtualClock;
  let pauses: number[];
  let queue: SqliteWorkQueue<JudgeJob>;

  beforeEach(() => {
    database = openSherpaDatabase({ dataDir: ':memory:' });
    clock = new VirtualClock();
    pauses = [];
    // The queue's own waits between looks at the table, recorded.
    const recording: Sleep = (ms, signal) => {
      pauses.push(ms);
      return clock.sleep(ms, signal);
    };
    queue = new SqliteWorkQueue(database, { name: 'judge', schema: JudgeJobSchema, clock, sleep: recording });
  });
  afterEach(() => database.close());

  it('looks less and less often while idle, up to a cap, and short again once work came', async () => {
    const handled: string[] = [];
    const handledAt: number[] = [];
    const consumer = startQueueConsumer<JudgeJob>({
      queue,
      visibilitySeconds: 30,
      logger,
      clock,
      sleep: clock.sleep,
      handle: async (message) => {
        handled.push(message.body.paperId);
        handledAt.push(pauses.length);
      },
    });
    await clock.sleep(60_000);
    // 250 ms doubling to the 2 s cap: about 30 looks in an idle minute where a fixed 250 ms poll made 240.
    expect(pauses.slice(0, 5)).toEqual([250, 500, 1_000, 2_000, 2_000]);
    expect(Math.max(...pauses)).toBe(2_000);
    expect(pauses.length).toBeLessThan(40);

    // A message sent by another process (its own queue object on the same database: no wake-up here) is seen
    // within one capped pause…
    const elsewhere = new SqliteWorkQueue(database, { name: 'judge', schema: JudgeJobSchema, clock });
    await elsewhere.send({ paperId: 'late' }, { dedupeId: 'late', groupId: 'late' });
    const sentAt = clock.now().getTime();
    await until(() => handled.length === 1);
    expect(clock.now().getTime() - sentAt).toBeLessThanOrEqual(2_000);
    // …and after work the next pause is the short one again.
    const afterWork = handledAt[0] as number;
    await clock.sleep(5_000);
    expect(pauses.slice(afterWork, afterWork + 3)).toEqual([250, 500, 1_000]);
    await consumer.stop();
  });

  it('wakes at once for a message sent in this process, whatever the pause', async () => {
    const handled: number[] = [];
    const consumer = startQueueConsumer<JudgeJob>({
      queue,
      visibilitySeconds: 30,
      logger,
      clock,
      sleep: clock.sleep,
      handle: async () => void handled.push(clock.now().getTime()),
    });
    await clock.sleep(30_000);
    const sentAt = clock.now().getTime();
    await queue.send({ paperId: 'p1' }, { dedupeId: 'p1', groupId: 'p1' });
    await until(() => handled.length === 1);
    await consumer.stop();
    expect(handled[0]).toBe(sentAt);
  });
});

describe('a consumer without a long poll (waitSeconds 0)', () => {
  it('pauses between empty receives with backoff instead of spinning', async () => {
    const database = openSherpaDatabase({ dataDir: ':memory:' });
    const clock = new VirtualClock();
    const queue = new SqliteWorkQueue(database, { name: 'judge', schema: JudgeJobSchema, clock });
    const receives: number[] = [];
    const receive = queue.receive.bind(queue);
    queue.receive = (options) => {
      receives.push(clock.now().getTime());
      return receive(options);
    };
    const consumer = startQueueConsumer<JudgeJob>({
      queue,
      handle: async () => undefined,
      visibilitySeconds: 30,
      waitSeconds: 0,
      idlePollMs: 1_000,
      maxIdlePollMs: 4_000,
      logger,
      clock,
      sleep: clock.sleep,
    });
    await until(() => receives.length >= 6);
    await consumer.stop();
    const gaps = receives.slice(1, 6).map((at, index) => at - (receives[index] as number));
    expect(gaps).toEqual([1_000, 2_000, 4_000, 4_000, 4_000]);
    database.close();
  });
});
