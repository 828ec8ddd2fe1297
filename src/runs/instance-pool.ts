import type { Logger } from '../logging/logger.js';
import type { Compute, InstanceState, InstanceStatus } from '../ports/compute.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import { randomUUID } from 'node:crypto';
import { INSTANCE_LEASE_PREFIX, instanceLeaseKey, isHolderOfRun, runHolder } from './instance-keys.js';

/**
 * A run's hold on one instance. The lease lives in the CoordinationStore with a TTL and is renewed by the
 * run's heartbeat, so idle stop (which must take the same lease first) can never stop an instance under a
 * run, and a dead worker's hold lapses on its own. This replaces the prior art's HTTP health check, which
 * reported "idle" mid-run and let the instance be stopped (prior-art-annapurna.md §2).
 */
export interface InstanceLease {
  instanceId: string;
  holder: string;
  /** The state the instance was in when the lease was taken (decides how its time is billed). */
  stateAtAcquire: InstanceState;
  launchedAt?: string;
  /** How long a renewal holds: a send begun within it cannot overlap another worker's (dispatch-run.ts). */
  ttlSeconds: number;
  /** Renew before the TTL runs out; false means someone else holds it now. */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export const LEASE_TTL_SECONDS = 180;

// Prefer an instance that is already up: a warm one costs nothing extra and starts the run at once.
const PREFERENCE: Record<InstanceState, number> = {
  running: 0,
  pending: 1,
  stopping: 2,
  stopped: 3,
  'shutting-down': 9,
  terminated: 9,
};

export interface InstancePoolDeps {
  compute: Compute;
  coordination: CoordinationStore;
  logger: Logger;
  leaseTtlSeconds?: number;
}

export class InstancePool {
  private readonly ttl: number;

  constructor(private readonly deps: InstancePoolDeps) {
    this.ttl = deps.leaseTtlSeconds ?? LEASE_TTL_SECONDS;
  }

  /** Order instances for a run: its previous instance first (a resumed run), then by readiness. */
  private order(statuses: InstanceStatus[], preferred?: string): InstanceStatus[] {
    return statuses
      .filter((status) => PREFERENCE[status.state] < 9)
      .sort(
        (a, b) =>
          Number(b.instanceId === preferred) - Number(a.instanceId === preferred) ||
          PREFERENCE[a.state] - PREFERENCE[b.state],
      );
  }

  /** Take a lease on the best free instance, or undefined when every instance is held. */
  async tryAcquire(runId: string, preferred?: string): Promise<InstanceLease | undefined> {
    const holder = runHolder(runId, randomUUID().slice(0, 8));
    const statuses = await this.deps.compute.describe();
    for (const status of this.order(statuses, preferred)) {
      const key = instanceLeaseKey(status.instanceId);
      const lease = await this.deps.coordination.acquireLease(key, holder, this.ttl);
      if (!lease) continue;
      this.deps.logger.info({ runId, instanceId: status.instanceId, state: status.state }, 'instance leased');
      return this.leaseFor(status, holder);
    }
    return undefined;
  }

  private leaseFor(status: InstanceStatus, holder: string): InstanceLease {
    const key = instanceLeaseKey(status.instanceId);
    const { coordination } = this.deps;
    return {
      instanceId: status.instanceId,
      holder,
      stateAtAcquire: status.state,
      launchedAt: status.launchedAt,
      ttlSeconds: this.ttl,
      renew: async () => (await coordination.acquireLease(key, holder, this.ttl)) !== undefined,
      release: async () => {
        await coordination.releaseLease(key, holder);
      },
    };
  }

  /** True while some worker holds a live lease for this run (on any instance). */
  async isRunHeld(runId: string): Promise<boolean> {
    const leases = await this.deps.coordination.list<{ holder: string }>(INSTANCE_LEASE_PREFIX);
    return leases.some((lease) => isHolderOfRun(lease.value.holder, runId));
  }

  /** Who holds an instance now (undefined when free or the lease has lapsed). */
  async holderOf(instanceId: string): Promise<string | undefined> {
    const record = await this.deps.coordination.get<{ holder: string }>(instanceLeaseKey(instanceId));
    return record?.value.holder;
  }
}
