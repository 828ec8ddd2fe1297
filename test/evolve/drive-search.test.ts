import { afterEach, describe, expect, it } from 'vitest';
import { driveSearch } from '../../src/evolve/drive-search.js';
import { parentRunOf } from '../../src/evolve/generation-step.js';
import { requestStop } from '../../src/evolve/request-stop.js';
import type { ComputePool } from '../../src/config/compute-pools.js';
import { InstancePool } from '../../src/runs/instance-pool.js';
import { gated, ProcessSwitch } from '../support/process-switch.js';
import { searchRig, type SearchRig } from './search-rig.js';

/** val_loss by variant: the parent is re-measured at 2.05 then 1.72; g1.v1 is the clear winner. */
const METRICS: Record<string, number> = {
  'g1.p0': 2.05,
  'g1.v0': 1.99,
  'g1.v1': 1.7,
  'g2.p0': 1.72,
  'g2.v0': 1.69,
  'g2.v1': 1.9,
  'g2.v2': 1.8,
};
const summary = (runId: string) => {
  const key = /\.(g\d\.[pv]\d)\.run$/.exec(runId)?.[1];
  return key && METRICS[key] !== undefined ? { val_loss: METRICS[key] } : undefined;
};
// g1.v2 does not compile: its smoke run fails and it never gets the full budget.
const fails = (runId: string) => runId.endsWith('.g1.v2.smoke');

let rig: SearchRig | undefined;
afterEach(() => rig?.close());

const sentIds = (r: SearchRig) => r.compute.sent.map((command) => command.runId);

describe('driving a search', () => {
  it('runs 3 variants × 2 generations with smoke runs first, keeps the child that beats the noise', async () => {
    rig = searchRig({ summary, fails });
    const search = await rig.seed();
    const done = await driveSearch(rig.deps(), search.id);
    expect(done?.state).toBe('finished');
    const kept = done?.variants.find((v) => v.id === 's_abc.g1.v1');
    expect(done?.parentHash).toBe(kept?.codeHash);
    expect(done?.generations.map((g) => g.judged?.replaced)).toEqual([true, false]);
    expect(done?.endReason).toMatch(/real_improvement/);
    const broken = done?.variants.find((v) => v.id === 's_abc.g1.v2');
    expect(broken).toMatchObject({ status: 'failed', failureClass: 'compiler_error' });
    // 3 smoke + 3 full in generation 1 (the broken child skipped), 3 smoke + 4 full in generation 2.
    expect(sentIds(rig)).toHaveLength(13);
    expect(new Set(sentIds(rig)).size).toBe(13);
    expect(sentIds(rig)).not.toContain('s_abc.g1.v2.run');
    expect(rig.llm.calls).toBe(2);
    // Each variant's cost is its billed instance time.
    const winner = done?.variants.find((v) => v.id === 's_abc.g1.v1');
    expect(winner?.costUsd).toBeGreaterThan((5.5 / 60) * 1.2 - 0.01);
    // Every variant of a generation had the same budget and seed.
    const jobs = [...rig.blobs.objects.keys()].filter((key) => key.endsWith('.run/job.json'));
    const envs = new Set(
      jobs.map((key) =>
        JSON.stringify(JSON.parse(Buffer.from(rig!.blobs.objects.get(key)!).toString('utf8')).env),
      ),
    );
    expect(envs.size).toBe(1);
    const firstJob = JSON.parse(Buffer.from(rig.blobs.objects.get(jobs[0] as string)!).toString('utf8'));
    expect(firstJob.compileCacheKey).toBe('s_abc');
  });

  it('runs a CUDA search on the GPU pool with the CUDA backend and prompt, never as Neuron', async () => {
    rig = searchRig({ summary });
    const search = await rig.seed({ target: 'cuda', generations: 1 });
    const base = rig.deps();
    const gpuPool: ComputePool = {
      name: 'gpu',
      instanceType: 'g5.xlarge',
      backend: 'cuda',
      mode: 'fixed',
      instanceIds: [...rig.compute.instanceIds],
      market: 'on-demand',
      hourlyUsd: 1.0,
      onDemandHourlyUsd: 1.0,
      idleMinutes: 15,
    };
    const pool = new InstancePool({ ...base, pools: [gpuPool] });
    const done = await driveSearch({ ...base, pool }, search.id);
    expect(done?.state).toBe('finished');
    const jobs = [...rig.blobs.objects.keys()].filter((key) => key.endsWith('/job.json'));
    expect(jobs.length).toBe(7);
    for (const key of jobs)
      expect(JSON.parse(Buffer.from(rig.blobs.objects.get(key)!).toString('utf8')).backend).toBe('cuda');
    expect(rig.llm.systems).toEqual(['stable prefix for cuda']);
    // Billed at the GPU pool's price, not the compute's default.
    const winner = done?.variants.find((v) => v.id === 's_abc.g1.v1');
    expect(winner?.costUsd).toBeLessThan((7 / 60) * 1.0);
  });

  it('resumes after a crash mid-generation without running any variant twice or calling the model again', async () => {
    rig = searchRig({ summary, fails });
    const search = await rig.seed();
    const process = new ProcessSwitch();
    const first = rig.deps();
    const compute = gated(rig.compute, process);
    const coordination = gated(first.coordination, process);
    // Everything the dead process touches goes through the switch, its instance leases' renewals included.
    const crashed = {
      ...first,
      searches: gated(first.searches, process),
      compute,
      ledger: gated(first.ledger, process),
      coordination,
      pool: new InstancePool({ compute, coordination, logger: first.logger }),
    };
    void driveSearch(crashed, search.id);
    // Kill it once generation 1's full runs are going: two of them sent, on both instances.
    for (let i = 0; i < 4000 && !sentIds(rig).some((id) => id.endsWith('.run')); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    process.crash();
    expect(sentIds(rig).some((id) => id.endsWith('.run'))).toBe(true);

    const done = await driveSearch(rig.deps(), search.id);
    expect(done?.state).toBe('finished');
    expect(sentIds(rig)).toHaveLength(13);
    expect(new Set(sentIds(rig)).size).toBe(13);
    expect(rig.llm.calls).toBe(2);
    expect(done?.generations.every((g) => g.callAttempts === 1)).toBe(true);
  });

  it('stops before a generation that would pass --max-usd, with the reason', async () => {
    rig = searchRig({ summary, fails });
    // Generation 1 is estimated at about $0.62 and spends about $0.40; a second would pass $0.90.
    const search = await rig.seed({ maxUsd: 0.9 });
    const done = await driveSearch(rig.deps(), search.id);
    expect(done?.state).toBe('capped');
    expect(done?.generation).toBe(1);
    expect(done?.endReason).toMatch(
      /stopped before generation 2 \(≈\$0\.\d\d\) would take the search past its cap: \$0\.\d\d spent of \$0\.90/,
    );
    expect(sentIds(rig).filter((id) => id.includes('.g2.'))).toEqual([]);
    expect(rig.llm.calls).toBe(1);
  });

  it('stops after the runs in flight on Stop', async () => {
    rig = searchRig({ summary, fails });
    const search = await rig.seed();
    const deps = rig.deps();
    const running = driveSearch(deps, search.id);
    for (let i = 0; i < 4000 && !sentIds(rig).some((id) => id.endsWith('.smoke')); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    await requestStop(deps, search.id, { mode: 'after_in_flight', userId: 'U0APPROVER1' });
    const done = await running;
    expect(done?.state).toBe('stopped');
    expect(done?.endReason).toBe('stopped by <@U0APPROVER1>');
    // What was sent (the smoke runs, and the parent's full run, which needs no smoke) was followed to its
    // end; no child's full run started, since none could have passed its smoke run before the Stop.
    expect(sentIds(rig).filter((id) => id.endsWith('.run') && !id.includes('.p0.'))).toEqual([]);
    const sent = done?.variants.flatMap((v) => [v.smoke, v.run]).filter((run) => run?.dispatchKey);
    expect(sent?.length).toBeGreaterThan(0);
    expect(sent?.every((run) => run?.outcome)).toBe(true);
  });

  it('makes no proposal call for a search stopped while proposing, and follows its parent run to the end', async () => {
    rig = searchRig({ summary });
    const seeded = await rig.seed();
    const deps = rig.deps();
    // A worker moved to proposing and recorded the parent's run as going out, then died before the call.
    const parent = parentRunOf(seeded, 1, seeded.parentHash);
    const sending = {
      runId: 's_abc.g1.p0.run',
      dispatchKey: 's_abc.g1.p0.run.d1',
      instanceId: rig.compute.instanceIds[0] as string,
      startedAt: rig.clock.now().toISOString(),
    };
    const proposing = await deps.searches.move(seeded.id, {
      from: 'confirmed',
      to: 'proposing',
      ifVersion: seeded.version,
      patch: { generation: 1, variants: [{ ...parent, run: sending }] },
    });
    expect(proposing.ok).toBe(true);
    await requestStop(deps, seeded.id, { mode: 'after_in_flight', userId: 'U0APPROVER1' });
    const done = await driveSearch(deps, seeded.id);
    expect(done?.state).toBe('stopped');
    expect(rig.llm.calls).toBe(0);
    // The run in flight was followed (sent once, under its recorded key), nothing else started.
    expect(rig.compute.sent.map((command) => command.dispatchKey)).toEqual(['s_abc.g1.p0.run.d1']);
    expect(done?.variants[0]?.run?.outcome).toBe('succeeded');
  });

  it('cancels the commands in flight on Stop now and ends the search', async () => {
    rig = searchRig({ summary, fails });
    const search = await rig.seed();
    const cancelled = rig.compute.cancelled;
    const deps = rig.deps();
    const running = driveSearch(deps, search.id);
    const childRun = (id: string) => id.endsWith('.run') && !id.includes('.p0.');
    for (let i = 0; i < 4000 && !sentIds(rig).some(childRun); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    const stopped = await requestStop(deps, search.id, { mode: 'now', userId: 'U0APPROVER1' });
    expect(stopped.kind === 'stopping' && stopped.cancelled).toBeGreaterThan(0);
    // Every command cancelled was in flight: sent, not finished (the parent's and the children's full runs).
    const inFlight = stopped.kind === 'stopping' ? stopped.search.variants : [];
    const open = inFlight.flatMap((v) => [v.smoke, v.run]).filter((run) => run?.commandId && !run.outcome);
    expect(cancelled.sort()).toEqual(open.map((run) => run?.runId).sort());
    expect(cancelled.some(childRun)).toBe(true);
    const done = await running;
    expect(done?.state).toBe('stopped');
    expect(sentIds(rig).filter((id) => id.includes('.g2.'))).toEqual([]);
  });
});
