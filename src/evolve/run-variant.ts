import type { RunnerBackend } from '../domain/runner-contract.js';
import { runKeys, type RunLocation } from '../domain/run-keys.js';
import type { Logger } from '../logging/logger.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { Compute, RunHandle } from '../ports/compute.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import type { CostLedger } from '../ports/cost-ledger.js';
import type { SearchStore } from '../ports/search-store.js';
import type { Sleep } from '../ports/sleep.js';
import { readResult } from '../runner/read-run-files.js';
import { startHeartbeat } from '../runs/heartbeat.js';
import { billInstanceTime, markReleased, startBilling, type BillingDeps } from '../runs/instance-billing.js';
import type { InstanceLease, InstancePool } from '../runs/instance-pool.js';
import { watchRun } from '../runs/watch-run.js';
import type { Variant, VariantRun } from '../domain/evolve-search.js';
import { updateVariant } from './update-variant.js';
import { variantOutcome } from './variant-outcome.js';
import { variantRunId, writeVariantJob, type VariantStage } from './variant-job.js';

export interface VariantRunDeps {
  searches: SearchStore;
  blobs: BlobStore;
  compute: Compute;
  pool: InstancePool;
  coordination: CoordinationStore;
  ledger: CostLedger;
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  /** The runner's backend when it is not the search's target (a local runner has the one it was given). */
  backend?: RunnerBackend;
  timings: { pollMs: number; pendingLimitMs: number; heartbeatMs: number };
}

export type VariantRunResult = 'finished' | 'busy' | 'gone';

const stageOf = (variant: Variant, stage: VariantStage): VariantRun | undefined =>
  stage === 'smoke' ? variant.smoke : variant.run;

const withStage = (variant: Variant, stage: VariantStage, run: VariantRun): Variant =>
  stage === 'smoke' ? { ...variant, smoke: run } : { ...variant, run };

/**
 * One stage of one variant on a leased instance, exactly once (issue 13, item 5), the way `dispatchRun` does it
 * for a paper's run: a command already recorded is followed; a dispatch key recorded without a command is
 * looked up on the instance and adopted, or sent under that same key when it never went out; otherwise the
 * key is recorded first and the command sent carrying it. The runner itself refuses a second start of a run id.
 */
export async function runVariantStage(
  deps: VariantRunDeps,
  searchId: string,
  variantId: string,
  stage: VariantStage,
  /** Told once an instance is leased for the stage (the scheduler then knows the run has its room). */
  onLeased?: (instanceId: string) => void,
): Promise<VariantRunResult> {
  const search = await deps.searches.get(searchId);
  const variant = search?.variants.find((candidate) => candidate.id === variantId);
  if (!search || !variant) return 'gone';
  const recorded = stageOf(variant, stage);
  if (recorded?.outcome) return 'finished';
  const runId = variantRunId(variant, stage);
  // Another worker following this stage holds a lease named after it: one follower per run. One whose process
  // is provably gone (a restart on this machine) hands its lease over at once instead of letting it lapse.
  const adopted = await deps.pool.takeOverFromDead(runId);
  if (!adopted && (await deps.pool.isRunHeld(runId))) return 'busy';
  // The search's target picks the pool (a CUDA search runs on a GPU pool), as a paper's run's backend does.
  // A full run after a legacy smoke run goes back to that run's instance when it is free: its graph is in
  // that instance's compile cache (the search's, trainium-runner/README.md) and its files are warm.
  const preferred = recorded?.instanceId ?? (stage === 'run' ? variant.smoke?.instanceId : undefined);
  const lease =
    adopted ?? (await deps.pool.tryAcquire(runId, preferred, { backend: search.settings.target }));
  if (!lease) return 'busy';
  onLeased?.(lease.instanceId);
  const log = deps.logger.child({ paperId: search.paperId, searchId, variantId, runId, stage });
  // The lease's own price: a spot instance bills at its pool's spot rate, as a paper's run does (execute-run.ts).
  const billing: BillingDeps = { ...deps, hourlyPriceUsd: lease.hourlyUsd };
  const heartbeat = startHeartbeat(
    deps.sleep,
    deps.timings.heartbeatMs,
    async () => {
      if (!(await lease.renew()))
        log.error({ instanceId: lease.instanceId }, 'instance lease renewal failed');
    },
    (error) => log.warn({ err: error }, 'variant heartbeat failed'),
  );
  let billed = false;
  const bill = async () => {
    if (billed) return 0;
    billed = true;
    return billInstanceTime(billing, lease.instanceId, { purpose: 'run', paperId: search.paperId, runId });
  };
  try {
    const resumedHere = recorded?.instanceId === lease.instanceId;
    if (lease.stateAtAcquire === 'running')
      await billInstanceTime(
        billing,
        lease.instanceId,
        resumedHere ? { purpose: 'run', paperId: search.paperId, runId } : { purpose: 'idle' },
        lease.launchedAt,
      );
    else await startBilling(billing, lease.instanceId);
    const location: RunLocation = { runId, scope: deps.compute.storageScope(lease.instanceId) };
    const handle = await dispatchOnce(deps, { searchId, variantId, stage, runId, lease, location, recorded });
    const poll = await watchRun(deps, handle, {
      pollMs: deps.timings.pollMs,
      pendingLimitMs: deps.timings.pendingLimitMs,
      hardLimitMs: (stageSeconds(search, stage) + 1800) * 1000,
      // A fixed-budget run ends after its budget: poll briskly from then on, so its instance is freed sooner.
      expectedEndMs: stageSeconds(search, stage) * 1000,
      resultWritten: () => deps.blobs.exists(runKeys(location).result),
      onProgress: async () => undefined,
    });
    const result = await readResult(deps.blobs, location).catch(() => undefined);
    const outcome = variantOutcome(search.settings.objective, stage, result, poll);
    const seconds = await bill();
    const usd = (seconds / 3600) * lease.hourlyUsd;
    await updateVariant(deps.searches, searchId, variantId, (current) => {
      const run = stageOf(current, stage);
      if (!run || run.outcome) return undefined;
      const finished = withStage(current, stage, {
        ...run,
        outcome: outcome.succeeded ? 'succeeded' : 'failed',
        finishedAt: deps.clock.now().toISOString(),
        seconds: Math.round(seconds),
      });
      return {
        ...finished,
        costUsd: current.costUsd + usd,
        ...(outcome.failureClass ? { status: 'failed', failureClass: outcome.failureClass } : {}),
        ...(stage === 'run' && outcome.succeeded ? { status: 'succeeded' } : {}),
        ...(outcome.metric !== undefined ? { metric: outcome.metric } : {}),
        ...(outcome.gate ? { gate: outcome.gate } : {}),
      };
    });
    log.info(
      {
        succeeded: outcome.succeeded,
        metric: outcome.metric,
        failureClass: outcome.failureClass,
        gate: outcome.gate,
      },
      'variant stage finished',
    );
    return 'finished';
  } finally {
    await heartbeat.stop();
    await bill().catch((error: unknown) => log.error({ err: error }, 'instance time not billed'));
    await markReleased(billing, lease.instanceId);
    await lease.release();
  }
}

function stageSeconds(search: { settings: { minutes: number; smokeSeconds: number } }, stage: VariantStage) {
  return stage === 'smoke' ? search.settings.smokeSeconds : search.settings.minutes * 60;
}

async function dispatchOnce(
  deps: VariantRunDeps,
  ctx: {
    searchId: string;
    variantId: string;
    stage: VariantStage;
    runId: string;
    lease: InstanceLease;
    location: RunLocation;
    recorded: VariantRun | undefined;
  },
): Promise<RunHandle> {
  const { lease, recorded, runId } = ctx;
  const instanceId = lease.instanceId;
  if (recorded?.commandId && recorded.instanceId === instanceId)
    return { instanceId, commandId: recorded.commandId, runId };
  let dispatchKey = `${runId}.d1`;
  if (recorded?.dispatchKey && recorded.instanceId === instanceId) {
    const since = new Date(new Date(recorded.startedAt ?? 0).getTime() - 10 * 60_000);
    const found = await deps.compute.findRun(instanceId, { runId, dispatchKey: recorded.dispatchKey, since });
    if (found) {
      await recordCommand(deps, ctx, found);
      return found;
    }
    // Never sent: the same key is safe to use again.
    dispatchKey = recorded.dispatchKey;
  } else if (recorded?.dispatchKey) {
    // Marked on another instance that this worker could not get back: a new key on this one.
    const n = Number(/\.d(\d+)$/.exec(recorded.dispatchKey)?.[1] ?? 0);
    dispatchKey = `${runId}.d${n + 1}`;
  }
  await deps.compute.ensureReady(instanceId, () => undefined);
  const search = await deps.searches.get(ctx.searchId);
  const variant = search?.variants.find((candidate) => candidate.id === ctx.variantId);
  if (!search || !variant) throw new Error(`variant ${ctx.variantId} vanished`);
  const { key: jobKey } = await writeVariantJob(
    deps,
    search,
    variant,
    ctx.stage,
    ctx.location,
    deps.backend ?? search.settings.target,
  );
  const marked = await updateVariant(deps.searches, ctx.searchId, ctx.variantId, (current) =>
    withStage(current, ctx.stage, {
      runId,
      dispatchKey,
      instanceId,
      startedAt: deps.clock.now().toISOString(),
    }),
  );
  if (!marked) throw new Error(`variant ${ctx.variantId} vanished`);
  if (!(await lease.renew())) throw new Error(`the lease on ${instanceId} was lost before the send`);
  const handle = await deps.compute.startRun(instanceId, {
    runId,
    jobKey,
    timeoutSeconds: stageSeconds(search, ctx.stage) + 600,
    dispatchKey,
    sendBy: new Date(deps.clock.now().getTime() + (lease.ttlSeconds * 1000) / 2),
  });
  await recordCommand(deps, ctx, handle);
  return handle;
}

async function recordCommand(
  deps: VariantRunDeps,
  ctx: { searchId: string; variantId: string; stage: VariantStage },
  handle: RunHandle,
): Promise<void> {
  await updateVariant(deps.searches, ctx.searchId, ctx.variantId, (current) => {
    const run = stageOf(current, ctx.stage);
    if (!run) return undefined;
    return withStage(current, ctx.stage, {
      ...run,
      commandId: handle.commandId,
      instanceId: handle.instanceId,
    });
  });
}
