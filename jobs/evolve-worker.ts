import type { CoreDeps } from '../src/deps.js';
import { EvolveJobSchema, type EvolveJob } from '../src/domain/jobs.js';
import type { EvolveTimings } from '../src/evolve/evolve-services.js';
import { runSearchJob } from '../src/evolve/run-search-job.js';
import { realSleep, type Sleep } from '../src/ports/sleep.js';
import { startQueueConsumer, type QueueConsumer } from '../src/queue/queue-consumer.js';
import { InstancePool } from '../src/runs/instance-pool.js';

export interface EvolveWorkerOptions {
  sleep?: Sleep;
  /** Long-poll wait per receive (SQS allows up to 20 s; the embedded queue wakes at once on a send). */
  waitSeconds?: number;
  timings?: Partial<EvolveTimings>;
}

/**
 * On EC2 a variant is followed like a run (at most 15 s between looks at its SSM command) and, with every
 * instance held, looks for a free one again after 15 s. On the bot's own host (`COMPUTE=local`) a look is a
 * process check or a read of the local database, and the one "instance" takes the variants one after another:
 * there a second is enough, so a generation of short runs is not mostly waiting.
 */
function timingsFor(deps: CoreDeps, overrides: Partial<EvolveTimings> = {}): EvolveTimings {
  const local = deps.compute?.kind === 'local';
  return {
    pollMs: local ? 1_000 : 15_000,
    pendingLimitMs: 720_000,
    heartbeatMs: 30_000,
    busyRetryMs: local ? 1_000 : 15_000,
    ...overrides,
  };
}

/**
 * The evolve queue's consumer (issue 13): each slot drives one search (`runSearchJob`), holding its message
 * with the visibility heartbeat for as long as the search runs (hours), so a bot that dies hands it to the next
 * one within EVOLVE_VISIBILITY_SECONDS, which resumes it from its record. At most EVOLVE_MAX_SEARCHES at once;
 * a search takes no instance itself, its variants lease them from the pool runs use. On stop, searches are
 * handed back at once (deadline 0), like runs: the variants' commands go on and the next bot follows them.
 * Absent where there is no evolve queue (SQS without SQS_EVOLVE_QUEUE_URL).
 */
export function startEvolveWorker(
  deps: CoreDeps,
  options: EvolveWorkerOptions = {},
): QueueConsumer | undefined {
  const queue = deps.queues.evolve;
  if (!queue) {
    deps.logger.info('no evolve queue (SQS_EVOLVE_QUEUE_URL unset): evolve searches cannot start');
    return undefined;
  }
  const sleep = options.sleep ?? realSleep;
  const timings = timingsFor(deps, options.timings);
  const logger = deps.logger.child({ job: 'evolve' });
  const pool = deps.compute
    ? new InstancePool({
        compute: deps.compute,
        coordination: deps.coordination,
        logger,
        pools: deps.config.compute.pools,
        clock: deps.clock,
      })
    : undefined;
  const visibilitySeconds = deps.config.evolve.visibilitySeconds;
  return startQueueConsumer<EvolveJob>({
    queue,
    slots: deps.config.evolve.maxSearches,
    visibilitySeconds,
    heartbeatMs: Math.max(1_000, Math.floor((visibilitySeconds * 1000) / 3)),
    waitSeconds: options.waitSeconds ?? 20,
    stopDeadlineMs: 0,
    logger,
    clock: deps.clock,
    sleep,
    handle: async (message, context) => {
      const parsed = EvolveJobSchema.safeParse(message.body);
      if (!parsed.success) {
        logger.error(
          { messageId: message.id, issues: parsed.error.message },
          'dropping a malformed evolve job',
        );
        return { kind: 'ack' };
      }
      const job = runSearchJob(deps, parsed.data, { pool, sleep, timings });
      // The driver takes no signal: on shutdown the message goes back at once and the search goes on being
      // driven here only until the stores close; every step is keyed, so the next bot resumes it cleanly.
      const wrappedUp = new Promise<'wrap-up'>((resolve) => {
        if (context.signal.aborted) resolve('wrap-up');
        context.signal.addEventListener('abort', () => resolve('wrap-up'), { once: true });
      });
      try {
        const ended = await Promise.race([job.then(() => 'done' as const), wrappedUp]);
        if (ended === 'done') return { kind: 'ack' };
        job.catch(() => undefined);
        return { kind: 'retry', error: new Error('the bot is stopping'), delaySeconds: 0 };
      } catch (error) {
        // A store or Slack outage: the search is offered again after a while and resumes from its record.
        logger.warn(
          { err: error, searchId: parsed.data.searchId },
          'evolve search interrupted; retrying later',
        );
        return { kind: 'retry', error, delaySeconds: visibilitySeconds };
      }
    },
  });
}
