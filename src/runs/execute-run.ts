import type { Config } from '../config/load-config.js';
import type { RunJob } from '../domain/jobs.js';
import type { Paper } from '../domain/paper.js';
import { RUN_IN_FLIGHT } from '../domain/paper-state.js';
import type { RunRecord } from '../domain/run-record.js';
import { describeForUser, isTransient, SchemaError } from '../errors.js';
import type { Compute } from '../ports/compute.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import type { Sleep } from '../ports/sleep.js';
import type { ReceivedMessage, WorkQueue } from '../ports/work-queue.js';
import type { RunEnding } from './final-report.js';
import { finishRun, type FinishDeps } from './finish-run.js';
import { startHeartbeat } from './heartbeat.js';
import { billInstanceTime, markReleased, startBilling, type BillingDeps } from './instance-billing.js';
import type { InstanceLease, InstancePool } from './instance-pool.js';
import { ledgerExecutionOf } from './ledger-execution.js';
import { ProgressTracker, stageOfStep } from './progress-tracker.js';
import { readResult } from '../runner/read-run-files.js';
import { runKeys, type RunLocation } from '../domain/run-keys.js';
import { findRun, transitionWithRun, updateRun } from './run-records.js';
import { dispatchRun } from './dispatch-run.js';
import { postRunResult } from './run-result-outbox.js';
import { WatchInterruptedError, watchRun } from './watch-run.js';
import { appendStory, endAttempt, queuePosition } from './resume-run.js';
import { attemptOf, attemptRunId } from './run-attempt.js';
import { runBackendOf } from './write-job.js';

export interface RunTimings {
  heartbeatMs: number;
  /** Queue visibility per extension: a dead worker's run is redelivered within this. */
  visibilitySeconds: number;
  pollMs: number;
  /** When every instance is held, try again after this. */
  busyRetrySeconds: number;
  /** SSM's delivery timeout (600 s) plus slack. */
  pendingLimitMs: number;
  /** Deliveries after which a run that keeps losing its worker is reported failed instead of retried. */
  maxAttempts: number;
  progressIntervalMs: number;
}

export const DEFAULT_RUN_TIMINGS: RunTimings = {
  heartbeatMs: 30_000,
  visibilitySeconds: 300,
  pollMs: 15_000,
  busyRetrySeconds: 30,
  pendingLimitMs: 720_000,
  maxAttempts: 4,
  progressIntervalMs: 30_000,
};

export interface RunWorkerDeps extends FinishDeps {
  coordination: CoordinationStore;
  runQueue: WorkQueue<RunJob>;
  compute: Compute;
  pool: InstancePool;
  sleep: Sleep;
  config: Pick<Config, 'aws' | 'codegen' | 'compute'>;
  timings: RunTimings;
  /** Aborted when the bot shuts down: a run being followed is handed back to the queue, not failed. */
  signal?: AbortSignal;
}

/** Move the paper to `running` from wherever the run's approval left it (a resumed run is already there). */
async function markRunning(
  deps: RunWorkerDeps,
  paper: Paper,
  run: RunRecord,
  instanceId: string,
  lease: Pick<InstanceLease, 'pool' | 'market'>,
): Promise<Paper | undefined> {
  const runPatch: Partial<RunRecord> = {
    status: run.commandId ? 'running' : 'starting',
    instanceId,
    pool: lease.pool.name,
    market: lease.market,
    startedAt: run.startedAt ?? deps.clock.now().toISOString(),
  };
  const common = {
    paperId: paper.id,
    actor: 'system:run-worker',
    runId: run.runId,
    artifactHash: run.codeHash,
  };
  if (paper.state === 'running') return updateRun(deps.papers, paper.id, run.runId, runPatch);
  if (paper.state === 'run_approved') {
    await transitionWithRun(deps.papers, { ...common, from: ['run_approved'], to: 'queued', runPatch: {} });
  }
  const moved = await transitionWithRun(deps.papers, {
    ...common,
    from: ['queued'],
    to: 'running',
    runPatch,
  });
  return moved.ok ? moved.paper : undefined;
}

/**
 * Acknowledge the message once `work` (finishing or reporting a finished run) is done; a transient failure
 * (Slack or the store briefly away) sends it back for a later delivery, which picks up where this one stopped.
 */
async function settleMessage(
  deps: RunWorkerDeps,
  message: ReceivedMessage<RunJob>,
  log: RunWorkerDeps['logger'],
  work: () => Promise<unknown>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (isTransient(error)) {
      log.warn({ err: error }, 'run report interrupted by a transient error; it will be retried');
      return deps.runQueue.release(message, deps.timings.busyRetrySeconds, String(error));
    }
    log.error({ err: error }, 'run report failed');
  }
  await deps.runQueue.ack(message);
}

async function endingOf(
  deps: RunWorkerDeps,
  location: RunLocation,
  poll: Awaited<ReturnType<typeof watchRun>>,
): Promise<RunEnding> {
  try {
    const result = await readResult(deps.blobs, location);
    if (result) return { kind: 'result', result };
    return { kind: 'no_result', poll };
  } catch (error) {
    if (error instanceof SchemaError) return { kind: 'no_result', poll, reason: error.message };
    throw error;
  }
}

/**
 * One delivery of a run message, start to finish: take an instance lease (heartbeat renews it and the
 * message's visibility), bring the instance up, send the job, follow it, record the outcome, bill the
 * instance time and give the lease back. A transient failure releases the message for a later attempt; a
 * worker that dies simply stops renewing, and the next delivery resumes the run from its record.
 */
export async function executeRun(deps: RunWorkerDeps, message: ReceivedMessage<RunJob>): Promise<void> {
  const job = message.body;
  const log = deps.logger.child({ paperId: job.paperId, runId: job.runId, attempt: message.attempt });
  const paper = await deps.papers.get(job.paperId);
  const run = paper && findRun(paper, job.runId);
  if (!paper || !run) {
    log.warn('run message for an unknown paper or run; dropped');
    return deps.runQueue.ack(message);
  }
  if (run.status === 'succeeded' || run.status === 'failed') {
    // Finished, perhaps with its result not posted yet (a Slack failure or a crash after the outcome was stored).
    log.info(
      { state: paper.state, status: run.status },
      'run already finished; posting its result if it is not',
    );
    return settleMessage(deps, message, log, () => postRunResult(deps, run.runId));
  }
  if (!RUN_IN_FLIGHT.includes(paper.state)) {
    log.info({ state: paper.state, status: run.status }, 'run withdrawn; message acknowledged');
    return deps.runQueue.ack(message);
  }
  if (await deps.pool.isRunHeld(job.runId)) {
    log.info('another worker holds this run; looking again later');
    return deps.runQueue.release(message, deps.timings.busyRetrySeconds);
  }
  const tracker = new ProgressTracker(deps, paper, run, deps.timings.progressIntervalMs);
  // Each resume (issue 12) is one more delivery of the same message, not a lost worker.
  if (message.attempt > deps.timings.maxAttempts + (run.resumes ?? 0)) {
    const ending: RunEnding = {
      kind: 'error',
      failureClass: 'runner_error',
      message: `The run lost its worker ${message.attempt - 1} times (bot restarts or crashes) and was given up.`,
    };
    return settleMessage(deps, message, log, () =>
      finishRun(deps, { paper, run, ending, instanceSeconds: 0, tracker }),
    );
  }
  const backend = runBackendOf(paper, run);
  const lease = await deps.pool.tryAcquire(job.runId, run.instanceId, {
    backend,
    ...(run.resume ? { onDemandOnly: run.resume.onDemandOnly, avoid: run.resume.avoid } : {}),
    // A launch refused for capacity: the thread says which pool had no room and where the run goes next.
    onFallThrough: async (note) => {
      const line = `:warning: Pool \`${note.pool}\`: ${note.reason}; ${note.next ? `trying \`${note.next}\`` : 'no other pool has room; waiting'}.`;
      const updated = await appendStory(deps.papers, paper.id, run.runId, line);
      if (updated) tracker.refresh(updated, findRun(updated, run.runId) ?? run);
    },
  });
  if (!lease) {
    if (run.status === 'queued') {
      const position = await queuePosition(deps.papers, run);
      await tracker.show({ stage: 'waiting_for_instance', backend, position });
    }
    return deps.runQueue.release(message, deps.timings.busyRetrySeconds);
  }
  await runOnLease(deps, { message, paper, run, lease, tracker, log });
}

async function runOnLease(
  deps: RunWorkerDeps,
  ctx: {
    message: ReceivedMessage<RunJob>;
    paper: Paper;
    run: RunRecord;
    lease: InstanceLease;
    tracker: ProgressTracker;
    log: RunWorkerDeps['logger'];
  },
): Promise<void> {
  const { lease, tracker, log } = ctx;
  const instanceId = lease.instanceId;
  // Each instance is billed at its own pool's price in the market it runs in (issue 12).
  const billing: BillingDeps = { ...deps, hourlyPriceUsd: lease.hourlyUsd };
  const location: RunLocation = {
    runId: attemptRunId(ctx.run),
    scope: deps.compute.storageScope(instanceId),
  };
  let message = ctx.message;
  const heartbeat = startHeartbeat(
    deps.sleep,
    deps.timings.heartbeatMs,
    async () => {
      if (!(await lease.renew())) log.error({ instanceId }, 'instance lease renewal failed');
      message = await deps.runQueue.extend(message, deps.timings.visibilitySeconds);
    },
    (error) => log.warn({ err: error }, 'run heartbeat failed'),
  );
  let billed: number | undefined;
  // The attempt's own time, with its execution info from result.json when there is one (issue 12, item 6).
  const billRun = async (ending?: RunEnding) => {
    billed ??= await billInstanceTime(billing, instanceId, {
      purpose: 'run',
      paperId: ctx.paper.id,
      runId: ctx.run.runId,
      execution: ledgerExecutionOf(lease, ending?.kind === 'result' ? ending.result : undefined),
    });
    return billed;
  };
  let paper = ctx.paper;
  let run = ctx.run;
  // A permanent error while bringing the instance up is the instance's fault, later ones the runner's.
  let failureClass = 'instance_unavailable';
  // Set once the run has an ending: from then on only its report can fail, never the run.
  let finishing = false;
  try {
    // Time an instance sat running with no run is idle time, billed as such; a stopped one starts billing now.
    // A run resumed on its own instance (its worker died) kept running meanwhile: that time is the paper's.
    const resumedHere =
      (Boolean(run.commandId) && run.instanceId === instanceId) || run.dispatch?.instanceId === instanceId;
    if (lease.stateAtAcquire === 'running')
      await billInstanceTime(
        billing,
        instanceId,
        resumedHere ? { purpose: 'run', paperId: paper.id, runId: run.runId } : { purpose: 'idle' },
        lease.launchedAt,
      );
    else await startBilling(billing, instanceId);
    const running = await markRunning(deps, paper, run, instanceId, lease);
    if (!running) {
      log.warn('the paper left the run states before the run started; dropped');
      return await deps.runQueue.ack(message);
    }
    paper = running;
    run = findRun(paper, run.runId) ?? run;
    tracker.refresh(paper, run);

    const dispatched = await dispatchRun(deps, {
      paper,
      run,
      lease,
      location,
      log,
      onReadyStep: (step) => tracker.show(stageOfStep(step)),
      onReady: () => {
        failureClass = 'runner_error';
      },
    });
    const handle = dispatched.handle;
    if (dispatched.adopted) log.info({ commandId: handle.commandId }, 'resuming a run whose worker stopped');
    paper = dispatched.paper;
    run = dispatched.run;
    if (attemptOf(run) > 1) {
      const from = run.resume?.checkpointPrefix ? 'from the checkpoint' : 'from the start';
      const line = `:arrows_counterclockwise: Attempt ${attemptOf(run)} resumed ${from} on \`${instanceId}\` (pool \`${lease.pool.name}\`, ${lease.market}).`;
      paper = (await appendStory(deps.papers, paper.id, run.runId, line)) ?? paper;
      run = findRun(paper, run.runId) ?? run;
    }
    tracker.refresh(paper, run);
    const commandStartMs = deps.clock.now().getTime();
    const poll = await watchRun(deps, handle, {
      pollMs: deps.timings.pollMs,
      pendingLimitMs: deps.timings.pendingLimitMs,
      hardLimitMs: (deps.config.compute.runTimeoutMinutes * 60 + 1800) * 1000,
      ...(deps.signal ? { signal: deps.signal } : {}),
      resultWritten: () => deps.blobs.exists(runKeys(location).result),
      onProgress: (_state, progress) =>
        tracker.show({
          stage: 'running',
          instanceId,
          elapsedSeconds: progress?.elapsedSeconds ?? (deps.clock.now().getTime() - commandStartMs) / 1000,
          ...(progress?.lastLogLine ? { lastLogLine: progress.lastLogLine } : {}),
          ...(progress?.phase ? { phase: progress.phase } : {}),
        }),
    });
    // A spot interruption or a lost instance: the run goes back to the queue for its next attempt, which
    // resumes from the checkpoint this one synced (at most MAX_RESUMES times), instead of failing.
    const attemptEnding = await endingOf(deps, location, poll);
    const verdict = await endAttempt(deps, {
      paper,
      run,
      lease,
      location,
      ending: attemptEnding,
      tracker,
      log,
      elapsedSeconds: (deps.clock.now().getTime() - commandStartMs) / 1000,
    });
    if (verdict.kind === 'requeued') {
      // Let go of the instance before the message reappears, so the next attempt is placed at once.
      await heartbeat.stop();
      await billRun(attemptEnding);
      await markReleased(billing, instanceId);
      await lease.release();
      await deps.runQueue.release(message, 0, verdict.reason);
      return;
    }
    const ending = verdict.ending;
    finishing = true;
    await finishRun(deps, { paper, run, ending, instanceSeconds: await billRun(ending), tracker, location });
    await deps.runQueue.ack(message);
  } catch (error) {
    if (error instanceof WatchInterruptedError) {
      // The command keeps running; the lease is released below, so the next worker resumes it at once.
      log.info('shutting down: the run goes back to the queue and will be resumed');
      await deps.runQueue.release(message, 0, error.message);
      return;
    }
    if (isTransient(error)) {
      log.warn({ err: error }, 'run interrupted by a transient error; it will be resumed');
      await deps.runQueue.release(message, deps.timings.busyRetrySeconds, String(error));
      return;
    }
    if (finishing) {
      // The outcome is stored (or the store is broken): a later error is never the run's failure.
      log.error({ err: error }, 'run finished but its report failed; see the result outbox');
      await deps.runQueue.ack(message);
      return;
    }
    log.error({ err: error }, 'run failed before it could finish');
    const ending: RunEnding = { kind: 'error', failureClass, message: describeForUser(error) };
    await finishRun(deps, { paper, run, ending, instanceSeconds: await billRun(), tracker });
    await deps.runQueue.ack(message);
  } finally {
    await heartbeat.stop();
    await billRun().catch((error: unknown) => log.error({ err: error }, 'instance time not billed'));
    await markReleased(billing, instanceId);
    await lease.release();
  }
}
