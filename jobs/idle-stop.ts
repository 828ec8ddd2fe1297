import type { Logger } from '../src/logging/logger.js';
import type { Clock } from '../src/ports/clock.js';
import type { Compute } from '../src/ports/compute.js';
import type { CoordinationStore } from '../src/ports/coordination-store.js';
import type { CostLedger } from '../src/ports/cost-ledger.js';
import type { Sleep } from '../src/ports/sleep.js';
import { startHeartbeat, type Heartbeat } from '../src/runs/heartbeat.js';
import { billInstanceTime, readActivity, stopBilling } from '../src/runs/instance-billing.js';
import { IDLE_STOP_HOLDER, instanceLeaseKey } from '../src/runs/instance-keys.js';
import type { InstancePool, PooledInstance } from '../src/runs/instance-pool.js';
import { poolHourlyUsd } from '../src/config/compute-pools.js';
import type { InstanceStatus } from '../src/ports/compute.js';

export interface IdleStopDeps {
  compute: Compute;
  coordination: CoordinationStore;
  ledger: CostLedger;
  clock: Clock;
  logger: Logger;
  idleStopMinutes: number;
  /** Tells the channel (a plain line; the Slack wiring posts it). */
  notify: (text: string) => Promise<void>;
  /**
   * Whether a run may follow soon (a paper waits for its Run click, is being coded, or is queued). When none
   * can, waiting out the full idle window only pays for minutes no run will use: the instance stops after
   * QUIET_STOP_MINUTES instead (a boot costs about as much as that wait). Absent: always the full window.
   */
  runWorkPending?: () => Promise<boolean>;
  /**
   * The pools (issue 12): every instance of every pool is checked against its own pool's idle window, and a
   * launched instance is TERMINATED (never left stopped) and its slot freed. Absent: the compute's instances.
   */
  pool?: InstancePool;
  /**
   * Instances a live evolve search has run on (`liveSearchInstances`): kept for at least SEARCH_WARM_MINUTES
   * idle, never cut short by the quiet rule, so they stay warm (booted, compile cache on disk) between the
   * search's generations. Absent: no search holds any.
   */
  searchInstances?: () => Promise<ReadonlySet<string>>;
}

/** Idle minutes after which an instance stops when nothing in the pipeline can produce a run soon. */
export const QUIET_STOP_MINUTES = 3;

/**
 * Idle minutes a live search's instance is kept between generations: the gap is the judge plus one proposal
 * call (with its repair turn and the adapter's retries, a few minutes); the bound is what a search whose worker
 * died can cost before its instances stop anyway.
 */
export const SEARCH_WARM_MINUTES = 20;

export type IdleStopOutcome =
  | { instanceId: string; action: 'stopped'; idleMinutes: number }
  | { instanceId: string; action: 'terminated'; idleMinutes: number }
  | { instanceId: string; action: 'leased'; holder?: string }
  | { instanceId: string; action: 'recently_used'; idleMinutes: number }
  | { instanceId: string; action: 'not_running'; state: string };

// Long enough to cover the StopInstances call; a run that wants the instance meanwhile waits for it.
const STOP_LEASE_SECONDS = 120;

/**
 * Stop every running instance that no run has held for `idleStopMinutes`. The check and the stop happen
 * under the instance's own lease: while a run holds it, this cannot take it; while this holds it, no run can
 * start on it. Idle is measured from the last release (or the instance's start, if no run ever released it).
 */
export async function stopIdleInstances(deps: IdleStopDeps): Promise<IdleStopOutcome[]> {
  if (!deps.compute.stoppable) return [];
  const outcomes: IdleStopOutcome[] = [];
  const entries: { status: InstanceStatus; pooled?: PooledInstance }[] = deps.pool
    ? (await deps.pool.allInstances()).map((pooled) => ({ status: pooled.status, pooled }))
    : (await deps.compute.describe()).map((status) => ({ status }));
  const searchHeld = (await deps.searchInstances?.()) ?? new Set<string>();
  for (const { status, pooled } of entries) {
    const { instanceId } = status;
    const launched = pooled?.pool.mode === 'launch';
    const windowMinutes = pooled?.pool.idleMinutes ?? deps.idleStopMinutes;
    const hourlyPriceUsd = pooled
      ? poolHourlyUsd(pooled.pool, status.lifecycle === 'spot' ? 'spot' : 'on-demand')
      : deps.compute.hourlyPriceUsd;
    if (status.state !== 'running') {
      outcomes.push({ instanceId, action: 'not_running', state: status.state });
      continue;
    }
    const key = instanceLeaseKey(instanceId);
    const lease = await deps.coordination.acquireLease(key, IDLE_STOP_HOLDER, STOP_LEASE_SECONDS);
    if (!lease) {
      const holder = (await deps.coordination.get<{ holder: string }>(key))?.value.holder;
      outcomes.push({ instanceId, action: 'leased', ...(holder ? { holder } : {}) });
      continue;
    }
    try {
      const activity = await readActivity(deps.coordination, instanceId);
      const lastActive = [activity.lastReleasedAt, status.launchedAt, activity.billedUntil]
        .filter((at): at is string => at !== undefined)
        .map((at) => new Date(at).getTime());
      const since = lastActive.length > 0 ? Math.max(...lastActive) : deps.clock.now().getTime();
      const idleMinutes = (deps.clock.now().getTime() - since) / 60_000;
      const forSearch = searchHeld.has(instanceId);
      const quiet = !forSearch && deps.runWorkPending ? !(await deps.runWorkPending()) : false;
      const limit = forSearch
        ? Math.max(windowMinutes, SEARCH_WARM_MINUTES)
        : quiet
          ? Math.min(windowMinutes, QUIET_STOP_MINUTES)
          : windowMinutes;
      if (idleMinutes < limit) {
        outcomes.push({ instanceId, action: 'recently_used', idleMinutes });
        continue;
      }
      await billInstanceTime({ ...deps, hourlyPriceUsd }, instanceId, { purpose: 'idle' }, status.launchedAt);
      if (launched && deps.pool) await deps.pool.retire(instanceId);
      else await deps.compute.stop(instanceId);
      await stopBilling({ ...deps, hourlyPriceUsd }, instanceId);
      deps.logger.info(
        { instanceId, idleMinutes, launched },
        launched ? 'terminated idle instance' : 'stopped idle instance',
      );
      outcomes.push({ instanceId, action: launched ? 'terminated' : 'stopped', idleMinutes });
      const why = forSearch
        ? `although a live search ran on it (kept warm between its generations for up to ${limit} min)`
        : quiet
          ? `and no paper is waiting for a run (idle stop after ${limit} min when nothing is pending, else ${windowMinutes})`
          : `(idle stop after ${windowMinutes} min)`;
      const what = launched
        ? `:wastebasket: Terminated \`${instanceId}\` (pool \`${pooled?.pool.name}\`): no run for ${Math.round(idleMinutes)} min ${why}. The next run launches a new one.`
        : `:zzz: Stopped \`${instanceId}\`: no run for ${Math.round(idleMinutes)} min ${why}. The next run starts it again.`;
      await deps
        .notify(what)
        .catch((error: unknown) => deps.logger.warn({ err: error, instanceId }, 'idle-stop notice failed'));
    } finally {
      await deps.coordination.releaseLease(key, IDLE_STOP_HOLDER);
    }
  }
  return outcomes;
}

/** Check every `intervalMs` (a minute by default: the stop lands within a minute of the idle limit). */
export function startIdleStop(deps: IdleStopDeps & { sleep: Sleep }, intervalMs = 60_000): Heartbeat {
  return startHeartbeat(
    deps.sleep,
    intervalMs,
    async () => {
      await stopIdleInstances(deps);
    },
    (error) => deps.logger.error({ err: error }, 'idle stop failed; will try again'),
  );
}
