import { AfterAckQueue } from '../handlers/after-ack-queue.js';
import { registerHandlers } from '../handlers/index.js';
import { startCodegenWorker } from '../jobs/codegen-worker.js';
import { startJudgeJobs } from '../jobs/judge-worker.js';
import { startDailyDigest } from '../jobs/daily-digest.js';
import { startEvolveWorker } from '../jobs/evolve-worker.js';
import { startThreadPoster } from '../jobs/post-threads.js';
import { startRunJobs } from '../jobs/run-jobs.js';
import { startScrapeJobs } from '../jobs/scrape-schedules.js';
import { createCoreDeps } from './compose.js';
import { loadConfig, type Config, type Env } from './config/load-config.js';
import type { CoreDeps } from './deps.js';
import { configuredSecrets } from './logging/configured-secrets.js';
import { createLogger, type Logger } from './logging/logger.js';
import { checkChannel } from './adapters/slack/check-channel.js';
import { createSlackApp, type SlackApp } from './adapters/slack/create-app.js';
import { ackGuardAnswer } from './messages/interaction-refusals.js';

export interface BootOptions {
  env: Env;
  /** A logger, or how to build one from the config; default: pino at LOG_LEVEL in LOG_FORMAT. */
  logger?: Logger | ((config: Config) => Logger);
  /** For SHERPA_CONFIG; injected in tests. */
  readFile?: (path: string) => string;
  /** The Slack socket could not be brought back; main exits non-zero so a supervisor restarts Sherpa. */
  onFatal?: (reason: string) => void;
  /** Acknowledge envelopes no listener acknowledged after this long (default 2 s). */
  ackDeadlineMs?: number;
  /** Tests wrap a port here (a slow or failing store) before the handlers see the deps. */
  decorateDeps?: (deps: CoreDeps) => CoreDeps;
}

export interface RunningSherpa {
  config: Config;
  logger: Logger;
  slack: SlackApp;
  deps: CoreDeps;
  /** Close the socket, then the stores. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Everything `npm start` does short of process signals: configuration, the Slack app, the embedded (or AWS)
 * adapters, the listeners, and the connection. The test harness (`test/support/start-sherpa.ts`) calls this
 * same function, so tests exercise the production wiring.
 */
export async function bootSherpa(options: BootOptions): Promise<RunningSherpa> {
  const config = loadConfig(options.env, options.readFile ? { readFile: options.readFile } : {});
  const logger =
    typeof options.logger === 'function'
      ? options.logger(config)
      : (options.logger ??
        createLogger({
          level: config.logLevel,
          format: config.logFormat,
          secrets: configuredSecrets(config, options.env),
        }));
  const slack = createSlackApp(config, logger, {
    ackAnswer: ackGuardAnswer,
    onWatchdogGiveUp: (downForMs) =>
      options.onFatal?.(`Slack socket down for ${Math.round(downForMs / 1000)} s`),
    ...(options.ackDeadlineMs !== undefined ? { ackDeadlineMs: options.ackDeadlineMs } : {}),
  });
  const composed = await createCoreDeps(config, logger);
  const deps = options.decorateDeps ? options.decorateDeps(composed) : composed;
  // Listeners put the work that follows their ack here, so that acks go out first (issue 14, item 3).
  const afterAck = new AfterAckQueue({ whenAcksDone: (maxWaitMs) => slack.ackGuard.whenIdle(maxWaitMs) });
  registerHandlers(slack.app, deps, { afterAck, postToResponseUrl: slack.postToResponseUrl });
  try {
    await slack.start();
  } catch (error) {
    await composed.close();
    throw error;
  }
  await checkChannel(deps.chat, config.slack.channel, logger);
  // Scheduled jobs and queue workers start here, after the socket is up, and stop first in `stop()`. Each queue
  // has one consumer (src/queue/queue-consumer.ts) with its handler and slots: runs, codegen, judge and evolve.
  const runJobs = startRunJobs(deps);
  const dailyDigest = startDailyDigest(deps);
  const llm = deps.llm;
  const codegenWorker = llm ? startCodegenWorker({ ...deps, llm }) : undefined;
  const threadPoster = startThreadPoster(deps);
  // Threads right after judging (issue 11, item 6): a round that accepted a paper posts threads at once; the
  // poster's own timer stays as the safety net.
  const judgeWorker = startJudgeJobs(deps, {
    onRoundJudged: (outcomes) => {
      if (outcomes.some((outcome) => outcome.kind === 'accepted')) threadPoster.nudge();
    },
  });
  const scrapeJobs = startScrapeJobs(deps);
  // Evolve searches (issue 13): each holds its queue message while its variants run on the runs' pool.
  const evolveWorker = startEvolveWorker(deps);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await Promise.all([
        runJobs.stop(),
        scrapeJobs.stop(),
        dailyDigest.stop(),
        codegenWorker?.stop(),
        judgeWorker.stop(),
        threadPoster.stop(),
        evolveWorker?.stop(),
      ]);
      await slack.stop();
      await composed.close();
      logger.info('Sherpa stopped');
    })();
    return stopped;
  };
  logger.info({ channel: config.slack.channel, dataDir: config.dataDir }, 'Sherpa is running');
  return { config, logger, slack, deps, stop };
}
