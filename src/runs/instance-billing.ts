import type { Clock } from '../ports/clock.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import type { CostLedger, LedgerExecution } from '../ports/cost-ledger.js';
import { instanceActivityKey } from './instance-keys.js';

/**
 * When an instance was last released by a run (idle stop counts from here) and up to when its running time
 * has been written to the cost ledger. Only the lease holder writes it, so there is one writer at a time.
 */
export interface InstanceActivity {
  lastReleasedAt?: string;
  /** Running time before this is in the ledger; absent while the instance is stopped. */
  billedUntil?: string;
}

export interface BillingDeps {
  coordination: CoordinationStore;
  ledger: CostLedger;
  clock: Clock;
  hourlyPriceUsd: number;
}

export async function readActivity(
  coordination: CoordinationStore,
  instanceId: string,
): Promise<InstanceActivity> {
  return (await coordination.get<InstanceActivity>(instanceActivityKey(instanceId)))?.value ?? {};
}

async function writeActivity(deps: BillingDeps, instanceId: string, patch: InstanceActivity): Promise<void> {
  const current = await readActivity(deps.coordination, instanceId);
  await deps.coordination.put(instanceActivityKey(instanceId), { ...current, ...patch });
}

export interface Attribution {
  purpose: 'run' | 'idle';
  paperId?: string;
  runId?: string;
  /** A run's execution info (issue 12, item 6), kept on its entry beside what it cost. */
  execution?: LedgerExecution;
}

/**
 * Write the instance's running time from `billedUntil` (or `since` when nothing was billed yet) to now, as
 * one ledger entry: seconds × the hourly price. Returns the seconds billed.
 */
export async function billInstanceTime(
  deps: BillingDeps,
  instanceId: string,
  attribution: Attribution,
  since?: string,
): Promise<number> {
  const now = deps.clock.now();
  const activity = await readActivity(deps.coordination, instanceId);
  const from = activity.billedUntil ?? since;
  const seconds = from ? Math.max(0, (now.getTime() - new Date(from).getTime()) / 1000) : 0;
  if (seconds > 0) {
    await deps.ledger.record({
      at: now.toISOString(),
      kind: 'instance',
      resource: instanceId,
      purpose: attribution.purpose,
      ...(attribution.paperId ? { paperId: attribution.paperId } : {}),
      ...(attribution.runId ? { runId: attribution.runId } : {}),
      ...(attribution.execution ? { execution: attribution.execution } : {}),
      seconds: Math.round(seconds),
      usd: (seconds / 3600) * deps.hourlyPriceUsd,
    });
  }
  await writeActivity(deps, instanceId, { billedUntil: now.toISOString() });
  return seconds;
}

/** The instance was just started (or found stopping/stopped): billing begins now. */
export async function startBilling(deps: BillingDeps, instanceId: string): Promise<void> {
  await writeActivity(deps, instanceId, { billedUntil: deps.clock.now().toISOString() });
}

/** A run gave the instance back: the idle clock starts now. */
export async function markReleased(deps: BillingDeps, instanceId: string): Promise<void> {
  await writeActivity(deps, instanceId, { lastReleasedAt: deps.clock.now().toISOString() });
}

/** The instance was stopped: nothing more to bill until the next start. */
export async function stopBilling(deps: BillingDeps, instanceId: string): Promise<void> {
  const current = await readActivity(deps.coordination, instanceId);
  const { billedUntil: _billed, ...rest } = current;
  await deps.coordination.put(instanceActivityKey(instanceId), rest);
}
