import type { CoreDeps } from '../src/deps.js';
import { JudgeJobSchema, type JudgeJob } from '../src/domain/jobs.js';
import { ConfigError, describeForUser, PermanentError, TransientError } from '../src/errors.js';
import {
  DEFAULT_BATCH_SIZE,
  JudgeBatcher,
  type JudgeBatcherOptions,
  type JudgeDeps,
} from '../src/judge/index.js';
import { requeueUnjudged } from '../src/judge/requeue-unjudged.js';
import type { Clock } from '../src/ports/clock.js';
import { realSleep } from '../src/ports/sleep.js';
import { startQueueConsumer } from '../src/queue/queue-consumer.js';

export type JudgeWorkerDeps = JudgeDeps & { queues: Pick<CoreDeps['queues'], 'judge'> };

export interface JudgeWorkerOptions extends JudgeBatcherOptions {
  /** Messages held at once: three batches' worth, so batches stay full after the pre-filter. */
  concurrency?: number;
  /** Visibility per delivery; the consumer's heartbeat extends it while a batch is judged. */
  visibilitySeconds?: number;
  waitSeconds?: number;
  /** How long papers wait after Bedrock said the judge model is not enabled for this account. */
  configPauseSeconds?: number;
  /** How often papers still in `scraped` are offered to the queue again (`requeueUnjudged`). Default 5 minutes. */
  sweepIntervalMs?: number;
  clock?: Clock;
  random?: () => number;
}

export interface RunningWorker {
  stop(): Promise<void>;
}

const DEFAULTS = {
  visibilitySeconds: 120,
  waitSeconds: 20,
  configPauseSeconds: 600,
  sweepIntervalMs: 5 * 60_000,
};

/**
 * What the queue should do with a paper the judge deferred: throttling and outages come back with the queue's
 * backoff; a model that is not enabled comes back after `configPauseSeconds`, so a misconfigured account costs
 * one failed call per batch instead of a storm of retries.
 */
function retryLater(error: unknown, configPauseSeconds: number): TransientError {
  if (error instanceof TransientError) return error;
  if (error instanceof ConfigError) {
    return new TransientError(
      `Judging waits for the judge model to be enabled: ${error.problems.join(' ')}`,
      {
        cause: error,
        retryAfterMs: configPauseSeconds * 1000,
      },
    );
  }
  return new TransientError(describeForUser(error), { cause: error });
}

/**
 * The judge queue's consumer: the one queue consumer (long poll, heartbeat, ack, jittered retry) with one
 * handler per message, and a batcher that gathers the papers of messages in flight into shared LLM calls.
 * A message is acked only once its paper's verdict (or `judge_failed` note) is stored; deferred papers
 * (throttling that outlasted the adapter's retries, Bedrock down) are released unchanged. When Bedrock says the
 * model or the credentials are missing, the consumer stops taking messages for `configPauseSeconds` instead of
 * churning through the queue, then starts again.
 */
export function startJudgeWorker(deps: JudgeWorkerDeps, options: JudgeWorkerOptions = {}): RunningWorker {
  const batcher = new JudgeBatcher(deps, options);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const configPauseSeconds = options.configPauseSeconds ?? DEFAULTS.configPauseSeconds;
  const clock = options.clock ?? deps.clock;
  return startQueueConsumer<JudgeJob>({
    queue: deps.queues.judge,
    slots: options.concurrency ?? batchSize * 3,
    visibilitySeconds: options.visibilitySeconds ?? DEFAULTS.visibilitySeconds,
    waitSeconds: options.waitSeconds ?? DEFAULTS.waitSeconds,
    logger: deps.logger,
    clock,
    sleep: options.sleep ?? realSleep,
    ...(options.random ? { random: options.random } : {}),
    // At start and then periodically: with SQS a crash between storing papers and sending their judge jobs can
    // happen at any time (issue 10, build item 4); the queue's sent-key record makes a repeat of a sent job a no-op.
    sweep: {
      everyMs: options.sweepIntervalMs ?? DEFAULTS.sweepIntervalMs,
      what: 're-send unjudged papers',
      run: () =>
        requeueUnjudged({ papers: deps.papers, queue: deps.queues.judge, clock, logger: deps.logger }),
    },
    handle: async (message, context) => {
      const job = JudgeJobSchema.safeParse(message.body);
      // A body that is not a judge job will never become one: report it and drop it.
      if (!job.success) throw new PermanentError(`Malformed judge job: ${job.error.message}`);
      const outcome = await batcher.judge(job.data.paperId);
      if (outcome.kind !== 'deferred') return;
      if (outcome.error instanceof ConfigError && context.pause(configPauseSeconds)) {
        deps.logger.error(
          { err: outcome.error, pauseSeconds: configPauseSeconds },
          'Judge paused: Bedrock refused the judge model',
        );
      }
      return { kind: 'retry', error: retryLater(outcome.error, configPauseSeconds) };
    },
  });
}

/**
 * The judge worker as boot starts it: from the composed deps, after Slack is connected, stopped before the
 * stores close. Without an LLM (a composition that has none) nothing starts and the papers wait in the queue.
 */
export function startJudgeJobs(deps: CoreDeps, options: JudgeWorkerOptions = {}): RunningWorker {
  if (!deps.llm) {
    deps.logger.warn('No LLM configured: the judge worker is not running; papers wait in the judge queue');
    return { stop: async () => undefined };
  }
  const worker = startJudgeWorker(
    { ...deps, llm: deps.llm, logger: deps.logger.child({ job: 'judge' }) },
    options,
  );
  deps.logger.info(
    { model: deps.config.bedrock.judgeModelId, maxConcurrency: deps.config.bedrock.maxConcurrency },
    'judge worker started',
  );
  return worker;
}
