import type { RunJob } from '../src/domain/jobs.js';
import { startQueueConsumer, type QueueConsumer } from '../src/queue/queue-consumer.js';
import { executeRun, type RunWorkerDeps } from '../src/runs/execute-run.js';
import { recoverApprovedRuns } from '../src/runs/recover-approved-runs.js';

const RECOVERY_INTERVAL_MS = 5 * 60_000;

export interface RunWorkerOptions {
  /** Concurrent runs; by default one per instance (a lease keeps it to one run per instance anyway). */
  slots?: number;
  /** With `waitSeconds: 0`, the first pause after an empty receive (it doubles while the queue stays empty). */
  idlePollMs?: number;
  /** Long-poll wait per receive (SQS allows up to 20 s; the embedded queue wakes at once on a send). */
  waitSeconds?: number;
}

/**
 * Consumes the run queue with the one queue consumer: each slot carries a message through `executeRun`, which
 * settles the message itself (done, "every instance busy, later", or handed back) and keeps its instance lease
 * renewed with its own heartbeat. On stop, runs are handed back at once (deadline 0): the command goes on on its
 * instance and the next consumer adopts it. At start and every few minutes, approved runs whose enqueue never
 * happened (a crash between approval and send) are sent again.
 */
export function startRunWorker(deps: RunWorkerDeps, options: RunWorkerOptions = {}): QueueConsumer {
  return startQueueConsumer<RunJob>({
    queue: deps.runQueue,
    slots: options.slots ?? Math.max(1, deps.compute.instanceIds.length),
    visibilitySeconds: deps.timings.visibilitySeconds,
    waitSeconds: options.waitSeconds ?? 20,
    ...(options.idlePollMs !== undefined ? { idlePollMs: options.idlePollMs } : {}),
    stopDeadlineMs: 0,
    logger: deps.logger,
    clock: deps.clock,
    sleep: deps.sleep,
    // An approval younger than the grace period at start-up is caught by a later sweep.
    sweep: {
      everyMs: RECOVERY_INTERVAL_MS,
      what: 'recover approved runs',
      run: () => recoverApprovedRuns(deps),
    },
    handle: async (message, context) => {
      try {
        await executeRun({ ...deps, signal: context.signal }, message);
      } catch (error) {
        // As if its worker had died: the run comes back after its visibility timeout and resumes from its
        // record. A shorter retry would spend its few attempts (`timings.maxAttempts`) on one store outage.
        return { kind: 'retry', error, delaySeconds: deps.timings.visibilitySeconds };
      }
      return { kind: 'settled' };
    },
  });
}
