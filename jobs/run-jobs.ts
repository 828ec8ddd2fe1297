import type { CoreDeps } from '../src/deps.js';
import { realSleep, type Sleep } from '../src/ports/sleep.js';
import type { Heartbeat } from '../src/runs/heartbeat.js';
import { liveSearchInstances } from '../src/evolve/search-instances.js';
import { runWorkPending } from '../src/runs/pending-run-work.js';
import { runWorkerDeps, slackRunReporter } from '../src/runs/run-services.js';
import { startIdleStop } from './idle-stop.js';
import { startRunWorker } from './run-worker.js';

/**
 * The run queue worker and the idle-stop check, started together once Slack is connected (boot.ts) and
 * stopped together before the stores close. Nothing starts when compute is off (`COMPUTE=none`).
 */
export function startRunJobs(deps: CoreDeps, options: { sleep?: Sleep } = {}): Heartbeat {
  const compute = deps.compute;
  if (!compute) return { stop: async () => undefined };
  const sleep = options.sleep ?? realSleep;
  const searches = deps.searches;
  const reporter = slackRunReporter(deps);
  const workerDeps = runWorkerDeps({ ...deps, compute }, { sleep, reporter });
  const worker = startRunWorker(workerDeps);
  const idleStop = compute.stoppable
    ? startIdleStop({
        compute,
        pool: workerDeps.pool,
        coordination: deps.coordination,
        ledger: deps.ledger,
        clock: deps.clock,
        logger: deps.logger.child({ job: 'idle-stop' }),
        idleStopMinutes: deps.config.compute.idleStopMinutes,
        notify: (text) => reporter.notify(text),
        runWorkPending: () => runWorkPending(deps.papers, searches),
        ...(searches ? { searchInstances: () => liveSearchInstances(searches) } : {}),
        sleep,
      })
    : undefined;
  deps.logger.info(
    {
      compute: compute.kind,
      instances: compute.instanceIds,
      idleStopMinutes: deps.config.compute.idleStopMinutes,
    },
    'run worker started',
  );
  return {
    async stop() {
      await Promise.all([worker.stop(), idleStop?.stop()]);
    },
  };
}
