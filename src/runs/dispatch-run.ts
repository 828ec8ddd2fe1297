import type { Config } from '../config/load-config.js';
import type { Paper } from '../domain/paper.js';
import type { RunRecord } from '../domain/run-record.js';
import { TransientError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { Compute, RunHandle } from '../ports/compute.js';
import type { PaperStore } from '../ports/paper-store.js';
import type { InstanceLease } from './instance-pool.js';
import { runKeys, type RunLocation } from '../domain/run-keys.js';
import { findRun, updateRun } from './run-records.js';
import { writeRunnerJob } from './write-job.js';
import { attemptRunId } from './run-attempt.js';

export interface DispatchDeps {
  papers: PaperStore;
  blobs: BlobStore;
  compute: Compute;
  clock: Clock;
  logger: Logger;
  config: Pick<Config, 'compute'>;
}

/** Thrown when the instance lease turned out to be someone else's before the send: this worker must stand down. */
export class LeaseLostError extends TransientError {
  constructor(instanceId: string) {
    super(`the lease on ${instanceId} was lost before the run was sent`, { context: { instanceId } });
  }
}

/** Thrown when another worker took the run over while this one was stalled: this one must not send. */
export class DispatchTakenOverError extends TransientError {
  constructor(runId: string) {
    super(`another worker dispatched run ${runId} meanwhile`, { context: { runId } });
  }
}

/**
 * After the lease renewal: the marker must still be the one this worker wrote, with no command recorded. A
 * worker that stalled long enough for its lease to lapse finds another's marker (or its command, or its result)
 * and stands down; the renewal succeeding means nobody else can take the instance until after the send.
 */
async function assertStillOurs(deps: DispatchDeps, paperId: string, runId: string, holder: string) {
  const paper = await deps.papers.get(paperId);
  const run = paper && findRun(paper, runId);
  if (
    !run ||
    run.commandId ||
    run.dispatch?.holder !== holder ||
    run.status === 'succeeded' ||
    run.status === 'failed'
  )
    throw new DispatchTakenOverError(runId);
}

/** The idempotency key of a run's nth dispatch; a new one only when the previous command is known to be lost. */
export function dispatchKeyOf(runId: string, n: number): string {
  return `${runId}.d${n}`;
}

function nextDispatchKey(run: RunRecord): string {
  const previous = run.dispatch ? Number(/\.d(\d+)$/.exec(run.dispatch.key)?.[1] ?? 0) : 0;
  return dispatchKeyOf(attemptRunId(run), previous + 1);
}

/** SSM's clock and ours may disagree; look for commands from a little before the marker was written. */
const LOOKUP_SLACK_MS = 10 * 60_000;

export interface Dispatched {
  handle: RunHandle;
  paper: Paper;
  run: RunRecord;
  /** True when an earlier delivery's command was found and is followed rather than sent again. */
  adopted: boolean;
}

/**
 * A command worth following: still pending or running, or finished in any way other than vanishing with its
 * instance. A command that vanished is worth following only when its result is already in the blobs.
 */
async function worthFollowing(
  deps: DispatchDeps,
  handle: RunHandle,
  location: RunLocation,
  log: Logger,
): Promise<boolean> {
  try {
    const poll = await deps.compute.pollRun(handle);
    if (poll.state !== 'finished' || poll.outcome !== 'lost') return true;
  } catch (error) {
    log.warn({ err: error, commandId: handle.commandId }, 'previous command not found');
  }
  return deps.blobs.exists(runKeys(location).result);
}

async function recordCommand(
  deps: DispatchDeps,
  paper: Paper,
  run: RunRecord,
  handle: RunHandle,
): Promise<{ paper: Paper; run: RunRecord }> {
  const updated = await updateRun(deps.papers, paper.id, run.runId, {
    commandId: handle.commandId,
    instanceId: handle.instanceId,
    status: 'running',
  });
  if (!updated)
    throw new TransientError('could not record the run’s command id', { context: { runId: run.runId } });
  return { paper: updated, run: findRun(updated, run.runId) ?? run };
}

/**
 * Start the run's command on the leased instance exactly once (issue 10, found item 6):
 *
 * 1. A command already recorded on the run is followed (unless it vanished without a result).
 * 2. A "dispatching" marker without a recorded command means an earlier delivery may have sent it and then
 *    failed to record it (a store error, a crash, a lapsed lease): the command is looked up on the instance by
 *    the marker's key and adopted. Not found means it was never sent, and it is sent under the same key.
 * 3. Otherwise a marker with a new key is written first, then the command is sent carrying that key.
 *
 * Sending is fenced by the instance lease: it is renewed just before the send, and the send must begin within
 * half its TTL, so no other worker can take the instance (and find nothing, and send) while this one sends.
 */
export async function dispatchRun(
  deps: DispatchDeps,
  ctx: {
    paper: Paper;
    run: RunRecord;
    lease: InstanceLease;
    location: RunLocation;
    log: Logger;
    onReadyStep: Parameters<Compute['ensureReady']>[1];
    /** Called once the instance is up: failures from here on are the runner's, not the instance's. */
    onReady: () => void;
  },
): Promise<Dispatched> {
  const { lease, location, log } = ctx;
  const instanceId = lease.instanceId;
  let { paper, run } = ctx;
  let sameKey = false;

  if (run.commandId && run.instanceId === instanceId) {
    const handle = { instanceId, commandId: run.commandId, runId: attemptRunId(run) };
    if (await worthFollowing(deps, handle, location, log)) return { handle, paper, run, adopted: true };
    log.warn({ commandId: run.commandId }, 'the run’s command vanished without a result; sending it again');
  } else if (run.dispatch && run.dispatch.instanceId === instanceId) {
    const since = new Date(new Date(run.dispatch.at).getTime() - LOOKUP_SLACK_MS);
    const found = await deps.compute.findRun(instanceId, {
      runId: attemptRunId(run),
      dispatchKey: run.dispatch.key,
      since,
    });
    if (found && (await worthFollowing(deps, found, location, log))) {
      log.info(
        { commandId: found.commandId, dispatchKey: run.dispatch.key },
        'adopting the command sent earlier',
      );
      ({ paper, run } = await recordCommand(deps, paper, run, found));
      return { handle: found, paper, run, adopted: true };
    }
    // Never sent (or sent and lost with its instance): a never-sent key is safe to use again.
    sameKey = !found;
  }

  await deps.compute.ensureReady(instanceId, ctx.onReadyStep);
  ctx.onReady();
  const { key: jobKey } = await writeRunnerJob(deps, paper, run, location);
  const dispatchKey = sameKey && run.dispatch ? run.dispatch.key : nextDispatchKey(run);
  const marker = { key: dispatchKey, instanceId, at: deps.clock.now().toISOString(), holder: lease.holder };
  const marked = await updateRun(deps.papers, paper.id, run.runId, { dispatch: marker });
  if (!marked)
    throw new TransientError('could not record the dispatch marker', { context: { runId: run.runId } });
  paper = marked;
  run = findRun(marked, run.runId) ?? run;

  if (!(await lease.renew())) throw new LeaseLostError(instanceId);
  await assertStillOurs(deps, paper.id, run.runId, marker.holder);
  const sendBy = new Date(deps.clock.now().getTime() + (lease.ttlSeconds * 1000) / 2);
  const handle = await deps.compute.startRun(instanceId, {
    runId: attemptRunId(run),
    jobKey,
    timeoutSeconds: deps.config.compute.runTimeoutMinutes * 60,
    dispatchKey,
    sendBy,
  });
  log.info({ commandId: handle.commandId, dispatchKey }, 'run sent');
  ({ paper, run } = await recordCommand(deps, paper, run, handle));
  return { handle, paper, run, adopted: false };
}
