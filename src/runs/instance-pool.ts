import type { ComputePool, PoolBackend } from '../config/compute-pools.js';
import { poolHourlyUsd, shortcutPool } from '../config/compute-pools.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../ports/clock.js';
import {
  LaunchCapacityError,
  type Compute,
  type InstanceState,
  type InstanceStatus,
} from '../ports/compute.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import { newLeaseHolder } from '../ingest/lease-holder.js';
import { takeOverDeadHolder } from './dead-holder.js';
import { INSTANCE_LEASE_PREFIX, instanceLeaseKey, isHolderOfRun, runHolder } from './instance-keys.js';
import { PoolSlots, type SlotRecord } from './pool-slots.js';

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
  /** The pool the instance belongs to, the market it runs in and what an hour of it costs. */
  pool: ComputePool;
  market: 'spot' | 'on-demand';
  hourlyUsd: number;
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
  /** Every pool (config.compute.pools); absent: one fixed pool of the compute's own instances. */
  pools?: ComputePool[];
  clock?: Clock;
  leaseTtlSeconds?: number;
  /**
   * This process in a lease's holder (`newLeaseHolder()`: host name, pid, boot and PID namespace, a random id),
   * so that a later bot on the same machine can tell the holder's process is gone (`takeOverFromDead`).
   */
  processHolder?: () => string;
}

/** What a run asks of the scheduler (issue 12, item 2). */
export interface PlacementRequest {
  /** The backend the run's code is written for; absent: any pool. */
  backend?: PoolBackend;
  /** Only on-demand capacity: a run interrupted on a `spot-then-on-demand` pool resumes on-demand. */
  onDemandOnly?: boolean;
  /** Instances the run must not go back to (the one that was interrupted under it). */
  avoid?: readonly string[];
  /** Told when a pool cannot take the run and the next one is tried (shown in the thread). */
  onFallThrough?: (note: { pool: string; reason: string; next?: string }) => void | Promise<void>;
}

export interface PooledInstance {
  pool: ComputePool;
  status: InstanceStatus;
  /** The slot a launched instance fills (undefined for fixed pools). */
  slot?: SlotRecord;
}

export class InstancePool {
  private readonly ttl: number;
  readonly pools: ComputePool[];
  readonly slots: PoolSlots;

  constructor(private readonly deps: InstancePoolDeps) {
    this.ttl = deps.leaseTtlSeconds ?? LEASE_TTL_SECONDS;
    this.pools = deps.pools?.length
      ? deps.pools
      : [shortcutPool([...deps.compute.instanceIds], deps.compute.hourlyPriceUsd, 15)];
    const clock = deps.clock ?? { now: () => new Date() };
    this.slots = new PoolSlots({ ...deps, clock });
  }

  /** Pools that may take a run, cheapest first (on-demand prices when only on-demand will do). */
  candidates(request: PlacementRequest): ComputePool[] {
    const price = (pool: ComputePool) => (request.onDemandOnly ? pool.onDemandHourlyUsd : pool.hourlyUsd);
    return this.pools
      .filter((pool) => !request.backend || pool.backend === request.backend)
      .filter((pool) => !request.onDemandOnly || pool.market !== 'spot')
      .sort((a, b) => price(a) - price(b));
  }

  /**
   * How many instances runs of this request could hold at once: every fixed instance and every launch slot of
   * the candidate pools. Other work may hold some of them; a scheduler uses it to plan, never as a promise.
   */
  room(request: PlacementRequest = {}): number {
    return this.candidates(request).reduce(
      (sum, pool) => sum + (pool.mode === 'fixed' ? pool.instanceIds.length : pool.max),
      0,
    );
  }

  /** The instances of one pool now: the fixed list, or the launched instances its slots record. */
  async instancesOf(pool: ComputePool): Promise<PooledInstance[]> {
    if (pool.mode === 'fixed') {
      const statuses = await this.deps.compute.describe(pool.instanceIds);
      return statuses.map((status) => ({ pool, status }));
    }
    const slots = (await this.slots.reconcile(pool.name)).filter((slot) => slot.value.instanceId);
    if (slots.length === 0) return [];
    const statuses = await this.deps.compute.describe(slots.map((slot) => slot.value.instanceId as string));
    const pooled: PooledInstance[] = [];
    for (const slot of slots) {
      const status = statuses.find((candidate) => candidate.instanceId === slot.value.instanceId);
      // Gone (terminated by us, by idle stop or by a spot reclaim): the place is free again.
      if (!status || status.state === 'terminated') await this.slots.free(slot);
      else pooled.push({ pool, status, slot });
    }
    return pooled;
  }

  /** Every instance of every pool, for idle stop. */
  async allInstances(): Promise<PooledInstance[]> {
    const all: PooledInstance[] = [];
    for (const pool of this.pools) all.push(...(await this.instancesOf(pool)));
    return all;
  }

  /** Order instances for a run: its previous instance first (a resumed run), then by readiness. */
  private order(instances: PooledInstance[], preferred?: string, request: PlacementRequest = {}) {
    return instances
      .filter(({ status }) => PREFERENCE[status.state] < 9)
      .filter(({ status }) => !request.avoid?.includes(status.instanceId))
      .filter(({ status }) => !request.onDemandOnly || status.lifecycle !== 'spot')
      .sort(
        (a, b) =>
          Number(b.status.instanceId === preferred) - Number(a.status.instanceId === preferred) ||
          PREFERENCE[a.status.state] - PREFERENCE[b.status.state],
      );
  }

  /**
   * Take a lease on the cheapest free instance of the run's backend: a free instance of a pool first, else a
   * new one launched into a free slot of a `launch` pool; a launch refused for capacity falls through to the
   * next pool. Undefined when every pool is full (the run waits in the queue).
   */
  async tryAcquire(
    runId: string,
    preferred?: string,
    request: PlacementRequest = {},
  ): Promise<InstanceLease | undefined> {
    const holder = runHolder(runId, (this.deps.processHolder ?? newLeaseHolder)());
    const pools = this.candidates(request);
    for (const [index, pool] of pools.entries()) {
      for (const instance of this.order(await this.instancesOf(pool), preferred, request)) {
        const lease = await this.deps.coordination.acquireLease(
          instanceLeaseKey(instance.status.instanceId),
          holder,
          this.ttl,
        );
        if (!lease) continue;
        this.deps.logger.info(
          { runId, pool: pool.name, instanceId: instance.status.instanceId, state: instance.status.state },
          'instance leased',
        );
        return this.leaseFor(pool, instance.status, holder);
      }
      if (pool.mode !== 'launch') continue;
      const launched = await this.launchInto(pool, runId, holder, request, pools[index + 1]?.name);
      if (launched) return launched;
    }
    return undefined;
  }

  /** Markets to try in a launch pool, in order: spot first where the pool allows it, unless on-demand only. */
  private marketsOf(pool: ComputePool, request: PlacementRequest): ('spot' | 'on-demand')[] {
    if (pool.market === 'on-demand' || request.onDemandOnly) return ['on-demand'];
    return pool.market === 'spot' ? ['spot'] : ['spot', 'on-demand'];
  }

  private async launchInto(
    pool: ComputePool & { mode: 'launch' },
    runId: string,
    holder: string,
    request: PlacementRequest,
    next: string | undefined,
  ): Promise<InstanceLease | undefined> {
    const { compute, logger } = this.deps;
    if (!compute.launch) return undefined;
    for (const market of this.marketsOf(pool, request)) {
      const slot = await this.slots.claim(pool, runId, market);
      if (!slot) return undefined;
      let status: InstanceStatus;
      try {
        if (!this.slots.mayLaunch(slot)) throw new Error('the launch claim is too old to send');
        status = await compute.launch({
          pool: pool.name,
          slot: slot.key,
          instanceType: pool.instanceType,
          launchTemplate: pool.launchTemplate,
          market,
          clientToken: slot.value.clientToken,
        });
      } catch (error) {
        await this.slots.free(slot);
        if (!(error instanceof LaunchCapacityError)) throw error;
        const fallback = market === 'spot' && pool.market === 'spot-then-on-demand' && !request.onDemandOnly;
        logger.warn({ runId, pool: pool.name, market, code: error.code }, 'launch refused for capacity');
        await request.onFallThrough?.({
          pool: pool.name,
          reason: `${market} launch refused (${error.code})`,
          ...(fallback ? { next: `${pool.name} on-demand` } : next ? { next } : {}),
        });
        continue;
      }
      // Lease first, then record: nobody else can lease an instance no slot names yet.
      const lease = await this.deps.coordination.acquireLease(
        instanceLeaseKey(status.instanceId),
        holder,
        this.ttl,
      );
      const recorded = await this.slots.recordInstance(slot, status.instanceId);
      if (!lease || !recorded) {
        logger.error({ runId, instanceId: status.instanceId }, 'launched instance could not be recorded');
        return undefined;
      }
      logger.info({ runId, pool: pool.name, instanceId: status.instanceId, market }, 'instance launched');
      return this.leaseFor(pool, { ...status, lifecycle: market }, holder);
    }
    return undefined;
  }

  private leaseFor(pool: ComputePool, status: InstanceStatus, holder: string): InstanceLease {
    const key = instanceLeaseKey(status.instanceId);
    const { coordination } = this.deps;
    const market = status.lifecycle === 'spot' ? 'spot' : 'on-demand';
    return {
      instanceId: status.instanceId,
      holder,
      stateAtAcquire: status.state,
      launchedAt: status.launchedAt,
      ttlSeconds: this.ttl,
      pool,
      market,
      hourlyUsd: pool.mode === 'fixed' ? pool.hourlyUsd : poolHourlyUsd(pool, market),
      renew: async () => (await coordination.acquireLease(key, holder, this.ttl)) !== undefined,
      release: async () => {
        await coordination.releaseLease(key, holder);
      },
    };
  }

  /**
   * Terminate a launched instance and free its slot (idle window over, or lost under a run). Fixed instances
   * are only ever stopped, by idle stop.
   */
  async retire(instanceId: string): Promise<void> {
    for (const pool of this.pools.filter((candidate) => candidate.mode === 'launch')) {
      const slot = (await this.slots.list(pool.name)).find(
        (record) => record.value.instanceId === instanceId,
      );
      if (!slot) continue;
      await this.deps.compute.terminate?.(instanceId);
      await this.slots.free(slot);
      this.deps.logger.info({ pool: pool.name, instanceId }, 'launched instance terminated');
    }
  }

  /** The pool an instance belongs to (fixed by its id, launched by its slot). */
  async poolOf(instanceId: string): Promise<ComputePool | undefined> {
    const fixed = this.pools.find((pool) => pool.mode === 'fixed' && pool.instanceIds.includes(instanceId));
    if (fixed) return fixed;
    for (const pool of this.pools.filter((candidate) => candidate.mode === 'launch')) {
      const slots = await this.slots.list(pool.name);
      if (slots.some((slot) => slot.value.instanceId === instanceId)) return pool;
    }
    return undefined;
  }

  /**
   * The instance lease of a run whose worker's process is provably gone (`dead-holder.ts`), taken over at once
   * instead of after its TTL: a restarted bot follows the run without waiting. Undefined when there is none.
   */
  async takeOverFromDead(runId: string): Promise<InstanceLease | undefined> {
    const holder = (this.deps.processHolder ?? newLeaseHolder)();
    const taken = await takeOverDeadHolder(this.deps.coordination, runId, holder, this.ttl);
    if (!taken) return undefined;
    const pool = await this.poolOf(taken.instanceId);
    const [status] = await this.deps.compute.describe([taken.instanceId]);
    if (!pool || !status) {
      await this.deps.coordination.releaseLease(instanceLeaseKey(taken.instanceId), taken.holder);
      return undefined;
    }
    this.deps.logger.warn(
      { runId, instanceId: taken.instanceId, dead: taken.dead },
      'took over the instance lease of a run whose worker died on this machine',
    );
    return this.leaseFor(pool, status, taken.holder);
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
