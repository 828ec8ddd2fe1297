import type { CoreDeps } from '../deps.js';
import type { Compute } from '../ports/compute.js';
import { realSleep, type Sleep } from '../ports/sleep.js';
import { DEFAULT_RUN_TIMINGS, type RunTimings, type RunWorkerDeps } from './execute-run.js';
import { InstancePool } from './instance-pool.js';
import type { RequestFixDeps } from './request-fix.js';
import type { RequestRunDeps } from './request-run.js';
import type { RunReporter } from './run-reporter.js';
import { SlackRunReporter } from './slack-run-reporter.js';

export type ComputeDeps = CoreDeps & { compute: Compute };

/** How the run pipeline talks to Slack, built from the core dependencies. */
export function slackRunReporter(deps: CoreDeps): RunReporter {
  return new SlackRunReporter({ chat: deps.chat, channel: deps.config.slack.channel, logger: deps.logger });
}

export function requestRunDeps(deps: ComputeDeps, reporter = slackRunReporter(deps)): RequestRunDeps {
  return {
    papers: deps.papers,
    runQueue: deps.queues.run,
    ledger: deps.ledger,
    clock: deps.clock,
    config: deps.config,
    logger: deps.logger,
    reporter,
    hourlyPriceUsd: deps.compute.hourlyPriceUsd,
  };
}

export function requestFixDeps(deps: CoreDeps): RequestFixDeps {
  return {
    papers: deps.papers,
    blobs: deps.blobs,
    codegenQueue: deps.queues.codegen,
    config: deps.config,
    logger: deps.logger,
  };
}

export function runWorkerDeps(
  deps: ComputeDeps,
  options: { sleep?: Sleep; timings?: Partial<RunTimings>; reporter?: RunReporter } = {},
): RunWorkerDeps {
  return {
    papers: deps.papers,
    blobs: deps.blobs,
    ledger: deps.ledger,
    clock: deps.clock,
    logger: deps.logger,
    reporter: options.reporter ?? slackRunReporter(deps),
    config: deps.config,
    compute: deps.compute,
    coordination: deps.coordination,
    runQueue: deps.queues.run,
    pool: new InstancePool({
      compute: deps.compute,
      coordination: deps.coordination,
      logger: deps.logger,
      pools: deps.config.compute.pools,
      clock: deps.clock,
    }),
    sleep: options.sleep ?? realSleep,
    timings: { ...DEFAULT_RUN_TIMINGS, ...options.timings },
  };
}
