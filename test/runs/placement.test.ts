import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stopIdleInstances } from '../../jobs/idle-stop.js';
import {
  openSherpaDatabase,
  SqliteCoordinationStore,
  type SherpaDatabase,
} from '../../src/adapters/embedded/index.js';
import type { ComputePool } from '../../src/config/compute-pools.js';
import { createLogger } from '../../src/logging/logger.js';
import type { LaunchRequest } from '../../src/ports/compute.js';
import { InstancePool } from '../../src/runs/instance-pool.js';
import { CLAIM_FENCE_SECONDS } from '../../src/runs/pool-slots.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';
import { RecordingLedger } from '../support/recording-ledger.js';
import { SimulatedCompute } from '../support/simulated-compute.js';
import { VirtualClock } from '../support/virtual-clock.js';

/**
 * Placement across pools (issue 12, item 2) on the real InstancePool and slot claims, SQLite coordination
 * store and a simulated EC2 that launches, refuses for capacity and terminates.
 */
const FIXED = 'i-0f1e2d3c4b5a69788';
const MINUTE = 60_000;

const common = { idleMinutes: 10 } as const;
const POOLS: ComputePool[] = [
  {
    ...common,
    name: 'trn1-fixed',
    instanceType: 'trn1.2xlarge',
    backend: 'neuron',
    mode: 'fixed',
    instanceIds: [FIXED],
    market: 'on-demand',
    hourlyUsd: 1.34375,
    onDemandHourlyUsd: 1.34375,
  },
  {
    ...common,
    name: 'trn1-spot',
    instanceType: 'trn1.2xlarge',
    backend: 'neuron',
    mode: 'launch',
    launchTemplate: { id: 'lt-0123456789abcdef0', version: '$Default' },
    max: 2,
    market: 'spot-then-on-demand',
    hourlyUsd: 0.47,
    onDemandHourlyUsd: 1.34375,
  },
  {
    ...common,
    name: 'gpu-spot',
    instanceType: 'g5.xlarge',
    backend: 'cuda',
    mode: 'launch',
    launchTemplate: { name: 'sherpa-cuda', version: '$Default' },
    max: 1,
    market: 'spot',
    hourlyUsd: 0.3,
    onDemandHourlyUsd: 1.006,
  },
];

let dir: string;
let databases: SherpaDatabase[];
let clock: VirtualClock;
let compute: SimulatedCompute;
let refuse: (request: LaunchRequest) => string | undefined;
const logger = createLogger({ level: 'silent' });

/** One replica: its own connection to the shared SQLite file, and its own InstancePool. */
function replica(): InstancePool {
  const database = openSherpaDatabase({ dataDir: dir });
  databases.push(database);
  return new InstancePool({
    compute,
    coordination: new SqliteCoordinationStore(database, { clock }),
    logger,
    pools: POOLS,
    clock,
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sherpa-placement-'));
  databases = [];
  clock = new VirtualClock('2026-12-05T09:00:00.000Z');
  refuse = () => undefined;
  compute = new SimulatedCompute({
    clock,
    blobs: new MemoryBlobStore(),
    instanceIds: [FIXED],
    hourlyPriceUsd: 1.34375,
    bootMs: 2 * MINUTE,
    stopMs: MINUTE,
    runMs: () => 4 * MINUTE,
    initialState: 'stopped',
    capacity: (request) => refuse(request),
  });
});

afterEach(() => {
  for (const database of databases) database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('placement across pools', () => {
  it('puts each run on the cheapest pool of its backend with room, launching when none is free', async () => {
    const pool = replica();
    const a = await pool.tryAcquire('r_a', undefined, { backend: 'neuron' });
    const b = await pool.tryAcquire('r_b', undefined, { backend: 'neuron' });
    const c = await pool.tryAcquire('r_c', undefined, { backend: 'neuron' });
    const d = await pool.tryAcquire('r_d', undefined, { backend: 'neuron' });
    expect([a?.pool.name, b?.pool.name, c?.pool.name]).toEqual(['trn1-spot', 'trn1-spot', 'trn1-fixed']);
    expect([a?.market, a?.hourlyUsd, c?.market, c?.hourlyUsd]).toEqual(['spot', 0.47, 'on-demand', 1.34375]);
    expect(d).toBeUndefined();
    const gpu = await pool.tryAcquire('r_g', undefined, { backend: 'cuda' });
    expect(gpu).toMatchObject({ pool: { name: 'gpu-spot' }, market: 'spot' });
    expect(await pool.tryAcquire('r_h', undefined, { backend: 'cuda' })).toBeUndefined();
    expect(compute.launched.map((launch) => launch.pool)).toEqual(['trn1-spot', 'trn1-spot', 'gpu-spot']);

    // A released launched instance is reused before anything new is launched.
    await a?.release();
    const e = await pool.tryAcquire('r_e', undefined, { backend: 'neuron' });
    expect(e?.instanceId).toBe(a?.instanceId);
    expect(compute.launched).toHaveLength(3);
  });

  it('falls through on capacity: spot to on-demand in a spot-then-on-demand pool, then to the next pool', async () => {
    const pool = replica();
    const notes: unknown[] = [];
    refuse = (request) => (request.market === 'spot' ? 'InsufficientInstanceCapacity' : undefined);
    const first = await pool.tryAcquire('r_a', undefined, {
      backend: 'neuron',
      onFallThrough: (note) => void notes.push(note),
    });
    expect(first).toMatchObject({ pool: { name: 'trn1-spot' }, market: 'on-demand', hourlyUsd: 1.34375 });
    expect(notes).toEqual([
      {
        pool: 'trn1-spot',
        reason: 'spot launch refused (InsufficientInstanceCapacity)',
        next: 'trn1-spot on-demand',
      },
    ]);

    refuse = () => 'VcpuLimitExceeded';
    notes.length = 0;
    const second = await pool.tryAcquire('r_b', undefined, {
      backend: 'neuron',
      onFallThrough: (note) => void notes.push(note),
    });
    expect(second?.pool.name).toBe('trn1-fixed');
    expect(notes).toEqual([
      { pool: 'trn1-spot', reason: 'spot launch refused (VcpuLimitExceeded)', next: 'trn1-spot on-demand' },
      { pool: 'trn1-spot', reason: 'on-demand launch refused (VcpuLimitExceeded)', next: 'trn1-fixed' },
    ]);
    // A refused launch frees its slot: the pool holds exactly the one instance it launched.
    expect((await pool.slots.list('trn1-spot')).map((slot) => slot.value.instanceId)).toEqual([
      first?.instanceId,
    ]);

    refuse = () => 'SpotMaxPriceTooLow';
    expect(await pool.tryAcquire('r_g', undefined, { backend: 'cuda' })).toBeUndefined();
  });

  it('never exceeds max under concurrent requests from two replicas on one store', async () => {
    const [one, two] = [replica(), replica()];
    const requests = Array.from({ length: 12 }, (_, n) =>
      (n % 2 ? one : two).tryAcquire(`r_${n}`, undefined, { backend: n % 3 === 0 ? 'cuda' : 'neuron' }),
    );
    const leases = (await Promise.all(requests)).filter((lease) => lease !== undefined);
    const byPool = (name: string) => leases.filter((lease) => lease.pool.name === name).length;
    expect(byPool('trn1-spot')).toBe(2);
    expect(byPool('gpu-spot')).toBe(1);
    expect(byPool('trn1-fixed')).toBe(1);
    expect(compute.launched.filter((launch) => launch.pool === 'trn1-spot')).toHaveLength(2);
    expect(compute.launched.filter((launch) => launch.pool === 'gpu-spot')).toHaveLength(1);
    expect(new Set(leases.map((lease) => lease.instanceId)).size).toBe(leases.length);
  });

  it('after a crash between RunInstances and its record, adopts the instance by client token; frees a claim that never launched', async () => {
    const crashed = replica();
    const gpu = POOLS[2] as ComputePool & { mode: 'launch' };
    const claim = await crashed.slots.claim(gpu, 'r_crashed', 'spot');
    if (!claim) throw new Error('no claim');
    const orphan = await compute.launch({
      pool: gpu.name,
      slot: claim.key,
      instanceType: gpu.instanceType,
      launchTemplate: gpu.launchTemplate,
      market: 'spot',
      clientToken: claim.value.clientToken,
    });
    // The replica "dies" here. Another one, later, finds the slot taken and the instance recorded to it.
    const survivor = replica();
    expect(await survivor.tryAcquire('r_next', undefined, { backend: 'cuda' })).toMatchObject({
      instanceId: orphan.instanceId,
    });
    expect(compute.launched).toHaveLength(1);

    const trn1 = POOLS[1] as ComputePool & { mode: 'launch' };
    await crashed.slots.claim(trn1, 'r_never_sent', 'spot');
    await crashed.slots.claim(trn1, 'r_never_sent_2', 'spot');
    // Young claims are respected (their launch may be in flight): the pool is full, the fixed pool is next.
    expect((await survivor.tryAcquire('r_young', undefined, { backend: 'neuron' }))?.pool.name).toBe(
      'trn1-fixed',
    );
    clock.advance(CLAIM_FENCE_SECONDS * 1000);
    expect((await survivor.tryAcquire('r_old', undefined, { backend: 'neuron' }))?.pool.name).toBe(
      'trn1-spot',
    );
  });

  it('terminates a launched instance after its idle window and frees its slot; a fixed one is only stopped', async () => {
    const pool = replica();
    const coordination = new SqliteCoordinationStore(databases[0] as SherpaDatabase, { clock });
    const launched = await pool.tryAcquire('r_a', undefined, { backend: 'cuda' });
    const fixed = await pool.tryAcquire('r_b', undefined, { backend: 'neuron', onDemandOnly: true });
    expect(fixed?.pool.name).toBe('trn1-fixed');
    await compute.ensureReady(FIXED, () => undefined);
    await launched?.release();
    await fixed?.release();
    clock.advance(11 * MINUTE);
    const outcomes = await stopIdleInstances({
      compute,
      pool,
      coordination,
      ledger: new RecordingLedger(),
      clock,
      logger,
      idleStopMinutes: 15,
      notify: async () => undefined,
    });
    expect(outcomes.map((outcome) => [outcome.instanceId, outcome.action])).toEqual([
      [FIXED, 'stopped'],
      [launched?.instanceId, 'terminated'],
    ]);
    expect(compute.terminated).toEqual([launched?.instanceId]);
    expect(await pool.slots.list('gpu-spot')).toEqual([]);
    expect(compute.live()).toEqual([]);
  });
});
