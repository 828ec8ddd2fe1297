import { randomUUID } from 'node:crypto';
import type { ComputePool } from '../config/compute-pools.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../ports/clock.js';
import type { Compute } from '../ports/compute.js';
import type { CoordinationRecord, CoordinationStore } from '../ports/coordination-store.js';

/**
 * The places of a `launch` pool: slot n of pool p is the CoordinationStore record `pool-slot/p/n`, n < max.
 * A slot is claimed with compare-and-set (`ifAbsent`) BEFORE RunInstances and freed only after the instance is
 * terminated or known never to have been launched, so the pool's instances never exceed `max`, whatever the
 * number of replicas on the store and however often they restart (issue 12, item 2).
 *
 * A crash between the claim and recording the instance leaves a slot with a client token and no instance id;
 * `reconcile` asks EC2 for the instance launched with that token (RunInstances is idempotent on it) and
 * records it, or frees the slot once the claim is older than CLAIM_FENCE_SECONDS and no instance carries it.
 */
export const POOL_SLOT_PREFIX = 'pool-slot/';
export const poolSlotPrefix = (pool: string) => `${POOL_SLOT_PREFIX}${pool}/`;

/** A claimer must send RunInstances within half of this after its claim; reconcile frees older empty claims. */
export const CLAIM_FENCE_SECONDS = 300;

export interface PoolSlot {
  pool: string;
  slot: number;
  runId: string;
  clientToken: string;
  claimedAt: string;
  market: 'spot' | 'on-demand';
  instanceId?: string;
}

export type SlotRecord = CoordinationRecord<PoolSlot>;

export interface PoolSlotsDeps {
  coordination: CoordinationStore;
  compute: Pick<Compute, 'findLaunched'>;
  clock: Clock;
  logger: Logger;
}

export class PoolSlots {
  constructor(private readonly deps: PoolSlotsDeps) {}

  list(pool: string): Promise<SlotRecord[]> {
    return this.deps.coordination.list<PoolSlot>(poolSlotPrefix(pool));
  }

  /** Take the first free slot of the pool, or undefined when all `max` are taken. */
  async claim(pool: ComputePool & { mode: 'launch' }, runId: string, market: PoolSlot['market']) {
    for (let slot = 0; slot < pool.max; slot += 1) {
      const value: PoolSlot = {
        pool: pool.name,
        slot,
        runId,
        // EC2 allows 64 ASCII characters; unique per claim so a freed and re-claimed slot launches anew.
        clientToken: `sherpa-${pool.name}-${slot}-${randomUUID()}`.slice(0, 64),
        claimedAt: this.deps.clock.now().toISOString(),
        market,
      };
      const claimed = await this.deps.coordination.put(`${poolSlotPrefix(pool.name)}${slot}`, value, {
        ifAbsent: true,
      });
      if (claimed) return claimed;
    }
    return undefined;
  }

  /** True while the claim is young enough that sending RunInstances cannot race a reconcile freeing it. */
  mayLaunch(record: SlotRecord): boolean {
    const ageMs = this.deps.clock.now().getTime() - new Date(record.value.claimedAt).getTime();
    return ageMs < (CLAIM_FENCE_SECONDS * 1000) / 2;
  }

  async recordInstance(record: SlotRecord, instanceId: string): Promise<SlotRecord | undefined> {
    return this.deps.coordination.put(
      record.key,
      { ...record.value, instanceId },
      { ifVersion: record.version },
    );
  }

  async free(record: SlotRecord): Promise<void> {
    await this.deps.coordination.delete(record.key, { ifVersion: record.version });
  }

  /** Settle claims a crashed worker left without an instance id; returns the pool's slots afterwards. */
  async reconcile(pool: string): Promise<SlotRecord[]> {
    const settled: SlotRecord[] = [];
    for (const record of await this.list(pool)) {
      if (record.value.instanceId) {
        settled.push(record);
        continue;
      }
      const ageMs = this.deps.clock.now().getTime() - new Date(record.value.claimedAt).getTime();
      const found = await this.deps.compute.findLaunched?.(record.value.clientToken);
      if (found) {
        const recorded = await this.recordInstance(record, found.instanceId);
        this.deps.logger.warn(
          { pool, slot: record.value.slot, instanceId: found.instanceId },
          'adopted an instance a crashed launch left without a record',
        );
        if (recorded) settled.push(recorded);
      } else if (ageMs >= CLAIM_FENCE_SECONDS * 1000) {
        this.deps.logger.warn({ pool, slot: record.value.slot }, 'freed a launch claim that never launched');
        await this.free(record);
      } else settled.push(record);
    }
    return settled;
  }
}
