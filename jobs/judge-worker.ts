import type { CoreDeps } from '../src/deps.js';
import { JudgeJobSchema, type JudgeJob } from '../src/domain/jobs.js';
import { ConfigError, describeForUser, PermanentError, TransientError } from '../src/errors.js';
import { JudgeBatcher, type JudgeBatcherOptions, type JudgeDeps } from '../src/judge/index.js';
import { requeueUnjudged } from '../src/judge/requeue-unjudged.js';
import type { Clock } from '../src/ports/clock.js';
import { realSleep } from '../src/ports/sleep.js';
import { startQueueWorker } from './queue-worker.js';

export type JudgeWorkerDeps = JudgeDeps & { queues: Pick<CoreDeps['queues'], 'judge'> };

export interface JudgeWorkerOptions extends JudgeBatcherOptions {
  /** Messages held at once: three batches' worth, so batches stay full after the pre-filter. */
  concurrency?: number;
  /** Visibility per delivery; the queue worker's heartbeat extends it while a batch is judged. */
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
  waitSeconds: 10,
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
 * The judge queue's consumer: the generic queue worker (long poll, heartbeat, ack, jittered retry) with one
 * handler per message, and a batcher that gathers the papers of messages in flight into shared LLM calls.
 * A message is acked only once its paper's verdict (or `judge_failed` note) is stored; deferred papers
 * (throttling that outlasted the adapter's retries, Bedrock down) are released unchanged. When Bedrock says the
 * model or the credentials are missing, the worker stops taking messages for `configPauseSeconds` instead of
 * churning through the queue, then starts again.
 */
export function startJudgeWorker(deps: JudgeWorkerDeps, options: JudgeWorkerOptions = {}): RunningWorker {
  const stopping = new AbortController();
  const sleep = options.sleep ?? realSleep;
  const batcher = new JudgeBatcher(deps, options);
  const batchSize = options.batchSize ?? 8;
  const configPauseSeconds = options.configPauseSeconds ?? DEFAULTS.configPauseSeconds;

  const cycle = async (): Promise<ConfigError | undefined> => {
    const pause = new AbortController();
    const onStop = () => pause.abort();
    stopping.signal.addEventListener('abort', onStop, { once: true });
    let configError: ConfigError | undefined;
    const worker = startQueueWorker<JudgeJob>({
      queue: deps.queues.judge,
      concurrency: options.concurrency ?? batchSize * 3,
      visibilitySeconds: options.visibilitySeconds ?? DEFAULTS.visibilitySeconds,
      waitSeconds: options.waitSeconds ?? DEFAULTS.waitSeconds,
      logger: deps.logger,
      clock: options.clock ?? deps.clock,
      sleep,
      signal: pause.signal,
      ...(options.random ? { random: options.random } : {}),
      handle: async (message) => {
        const job = JudgeJobSchema.safeParse(message.body);
        // A body that is not a judge job will never become one: report it and drop it.
        if (!job.success) throw new PermanentError(`Malformed judge job: ${job.error.message}`);
        const outcome = await batcher.judge(job.data.paperId);
        if (outcome.kind !== 'deferred') return;
        if (outcome.error instanceof ConfigError) {
          configError ??= outcome.error;
          pause.abort();
        }
        throw retryLater(outcome.error, configPauseSeconds);
      },
    });
    await worker.stopped;
    stopping.signal.removeEventListener('abort', onStop);
    return configError;
  };

  // At start and then periodically: with SQS a crash between storing papers and sending their judge jobs can
  // happen at any time (issue 10, build item 4); the queue's sent-key record makes a repeat of a sent job a no-op.
  const sweep = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      await requeueUnjudged({
        papers: deps.papers,
        queue: deps.queues.judge,
        clock: options.clock ?? deps.clock,
        logger: deps.logger,
      }).catch((error: unknown) => deps.logger.error({ err: error }, 'could not re-send unjudged papers'));
      await sleep(options.sweepIntervalMs ?? DEFAULTS.sweepIntervalMs, stopping.signal);
    }
  };
  const sweeping = sweep();
  const running = (async () => {
    while (!stopping.signal.aborted) {
      const configError = await cycle();
      if (!configError || stopping.signal.aborted) continue;
      deps.logger.error(
        { err: configError, pauseSeconds: configPauseSeconds },
        'Judge paused: Bedrock refused the judge model',
      );
      await sleep(configPauseSeconds * 1000, stopping.signal);
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await Promise.all([running, sweeping]);
    },
  };
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
