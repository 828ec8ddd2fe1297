import { afterEach, describe, expect, it } from 'vitest';
import { driveSearch } from '../../src/evolve/drive-search.js';
import { parentRunOf } from '../../src/evolve/generation-step.js';
import { requestStop } from '../../src/evolve/request-stop.js';
import { runVariantStage } from '../../src/evolve/run-variant.js';
import { storeCode } from '../../src/codegen/store-code-version.js';
import type { Variant } from '../../src/domain/evolve-search.js';
import { GOOD_SCRIPT } from '../support/fake-codegen-replies.js';
import type { ComputePool } from '../../src/config/compute-pools.js';
import { InstancePool } from '../../src/runs/instance-pool.js';
import { ProcessSwitch } from '../support/process-switch.js';
import { dyingBot, searchRig, type SearchRig } from './search-rig.js';

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
// g1.v2 steps but never prints the objective: the runner's smoke gate stops its one run at the window.
const objectiveAfterMs = (runId: string) => (runId.endsWith('.g1.v2.run') ? undefined : 10_000);
// g2.v2 does not compile: its one run ends by itself within seconds, with its own class.
const fails = (runId: string) => runId.endsWith('.g2.v2.run');
const jobOf = (r: SearchRig, runId: string) => {
  const key = [...r.blobs.objects.keys()].find((k) => k.endsWith(`/${runId}/job.json`));
  return key ? JSON.parse(Buffer.from(r.blobs.objects.get(key)!).toString('utf8')) : undefined;
};

let rig: SearchRig | undefined;
afterEach(() => rig?.close());

const sentIds = (r: SearchRig) => r.compute.sent.map((command) => command.runId);

describe('driving a search', () => {
  it('runs each variant once with its smoke gate inside, keeps the child that beats the noise', async () => {
    rig = searchRig({
      summary,
      fails,
      objectiveAfterMs,
      runMs: (id) => (fails(id) ? 8_000 : 5 * 60_000),
      compilerMs: (id) => (id.endsWith('.g1.v2.run') ? 180_000 : 0),
    });
    const search = await rig.seed();
    const done = await driveSearch(rig.deps(), search.id);
    expect(done?.state).toBe('finished');
    const kept = done?.variants.find((v) => v.id === 's_abc.g1.v1');
    expect(done?.parentHash).toBe(kept?.codeHash);
    expect(done?.generations.map((g) => g.judged?.replaced)).toEqual([true, false]);
    expect(done?.endReason).toMatch(/real_improvement/);
    // The variant that never printed val_loss was stopped at its gate: its 3-minute compile (left out of the
    // window) and 90 s of its own time (30 s + the start-up allowance), not its 5-minute budget; it shows its
    // class. The one that does not compile ended by itself.
    const silent = done?.variants.find((v) => v.id === 's_abc.g1.v2');
    expect(silent).toMatchObject({
      status: 'failed',
      failureClass: 'no_objective',
      gate: { passed: false },
    });
    expect(silent?.run?.seconds).toBeGreaterThanOrEqual(180 + 90);
    expect(silent?.run?.seconds).toBeLessThan(180 + 90 + 30);
    const broken = done?.variants.find((v) => v.id === 's_abc.g2.v2');
    expect(broken).toMatchObject({ status: 'failed', failureClass: 'compiler_error' });
    expect(broken?.run?.seconds).toBeLessThan(60);
    // A good variant passed its gate and ran once, to the end of its budget.
    expect(done?.variants.find((v) => v.id === 's_abc.g1.v1')).toMatchObject({
      status: 'succeeded',
      gate: { passed: true, afterSeconds: 10 },
    });
    // One run per variant and generation, each sent once: 3 children + the parent, twice; no smoke runs.
    expect(sentIds(rig)).toHaveLength(8);
    expect(new Set(sentIds(rig)).size).toBe(8);
    expect(sentIds(rig).filter((id) => id.endsWith('.smoke'))).toEqual([]);
    expect(rig.llm.calls).toBe(2);
    // Children's jobs carry the gate on the objective; the parent's re-run (code that ran already) does not.
    expect(jobOf(rig, 's_abc.g1.v0.run').smokeGate).toEqual({ seconds: 90, metric: 'val_loss' });
    expect(jobOf(rig, 's_abc.g1.p0.run').smokeGate).toBeUndefined();
    // Each variant's cost is its billed instance time: its one 5-minute run, no smoke run besides.
    const winner = done?.variants.find((v) => v.id === 's_abc.g1.v1');
    expect(winner?.costUsd).toBeGreaterThan((5 / 60) * 1.2 - 0.001);
    expect(winner?.costUsd).toBeLessThan((5.5 / 60) * 1.2);
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
    expect(jobs.length).toBe(4);
    for (const key of jobs)
      expect(JSON.parse(Buffer.from(rig.blobs.objects.get(key)!).toString('utf8')).backend).toBe('cuda');
    // CUDA's gate allows a minute for torch and the device, as Neuron's does for torch_xla and the runtime.
    expect(jobOf(rig, 's_abc.g1.v0.run').smokeGate).toEqual({ seconds: 90, metric: 'val_loss' });
    expect(rig.llm.systems).toEqual(['stable prefix for cuda']);
    // Billed at the GPU pool's price, not the compute's default.
    const winner = done?.variants.find((v) => v.id === 's_abc.g1.v1');
    expect(winner?.costUsd).toBeLessThan((7 / 60) * 1.0);
  });

  it('resumes after a crash mid-generation without running any variant twice or calling the model again', async () => {
    rig = searchRig({ summary, fails, objectiveAfterMs });
    const search = await rig.seed();
    const process = new ProcessSwitch();
    // Everything the dead process touches goes through the switch, its instance leases' renewals included.
    const crashed = dyingBot(rig, process, { ledger: true });
    void driveSearch(crashed, search.id);
    // Kill it once a child's gated run is going (the parent's beside it, on the other instance).
    const childRun = (id: string) => id.endsWith('.run') && !id.includes('.p0.');
    for (let i = 0; i < 4000 && !sentIds(rig).some(childRun); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    process.crash();
    const before = sentIds(rig).filter(childRun);
    expect(before.length).toBeGreaterThan(0);

    const done = await driveSearch(rig.deps(), search.id);
    expect(done?.state).toBe('finished');
    expect(sentIds(rig)).toHaveLength(8);
    expect(new Set(sentIds(rig)).size).toBe(8);
    expect(rig.llm.calls).toBe(2);
    expect(done?.generations.every((g) => g.callAttempts === 1)).toBe(true);
    // The run sent by the dead process was followed, with its gate's verdict, not sent again.
    const resumed = done?.variants.find((v) => v.run?.runId === before[0]);
    expect(resumed?.run?.dispatchKey).toBe(`${before[0]}.d1`);
    expect(resumed?.gate).toBeDefined();
    expect(done?.variants.find((v) => v.id === 's_abc.g1.v2')).toMatchObject({
      failureClass: 'no_objective',
      gate: { passed: false },
    });
  });

  it('resumes a search stored mid-smoke before the smoke gate: sent smoke runs followed, none started, none twice', async () => {
    rig = searchRig({ summary: (id) => (id.endsWith('.run') ? { val_loss: 2 } : undefined) });
    const origin = await storeCode(rig.blobs, GOOD_SCRIPT);
    const child = async (i: number): Promise<Variant> => ({
      id: `s_abc.g1.v${i}`,
      generation: 1,
      role: 'child',
      label: 'moderate',
      strategy: `change ${i}`,
      parentHash: origin.hash,
      codeHash: (await storeCode(rig!.blobs, `${GOOD_SCRIPT}\n# v${i}\n`)).hash,
      repaired: false,
      status: 'proposed',
      costUsd: 0,
    });
    // The old shape: generation 1 proposed straight into `smoke`, each child to get a smoke run first.
    const seeded = await rig.seed(
      { generations: 1 },
      {
        state: 'smoke',
        generation: 1,
        generations: [
          {
            generation: 1,
            callAttempts: 1,
            proposedAt: rig.clock.now().toISOString(),
            llmCalls: 1,
            inputTokens: 0,
            outputTokens: 0,
            llmUsd: 0,
          },
        ],
        variants: [
          parentRunOf({ id: 's_abc', parentHash: origin.hash }, 1, origin.hash),
          await child(0),
          await child(1),
          await child(2),
        ],
      },
    );
    const old = rig.deps();
    // An old worker finished v0's smoke run, sent v1's and died; v2's never went out.
    await runVariantStage(old, seeded.id, 's_abc.g1.v0', 'smoke');
    const process = new ProcessSwitch();
    const dying = dyingBot(rig, process, { deps: old, ledger: true });
    void runVariantStage(dying, seeded.id, 's_abc.g1.v1', 'smoke');
    for (let i = 0; i < 4000 && !sentIds(rig).includes('s_abc.g1.v1.smoke'); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    process.crash();

    const done = await driveSearch(rig.deps(), seeded.id);
    expect(done?.state).toBe('finished');
    // v1's smoke run was followed under its key, not sent again; v2 never got one; everyone ran once.
    expect(sentIds(rig).sort()).toEqual(
      ['g1.v0.smoke', 'g1.v1.smoke', 'g1.p0.run', 'g1.v0.run', 'g1.v1.run', 'g1.v2.run']
        .map((id) => `s_abc.${id}`)
        .sort(),
    );
    const v1 = done?.variants.find((v) => v.id === 's_abc.g1.v1');
    expect(v1?.smoke).toMatchObject({ dispatchKey: 's_abc.g1.v1.smoke.d1', outcome: 'succeeded' });
    expect(done?.variants.find((v) => v.id === 's_abc.g1.v2')?.smoke).toBeUndefined();
    expect(jobOf(rig, 's_abc.g1.v2.run').smokeGate).toEqual({ seconds: 90, metric: 'val_loss' });
    expect(done?.variants.filter((v) => v.status === 'succeeded')).toHaveLength(4);
  });

  it('stops before a generation that would pass --max-usd, with the reason', async () => {
    rig = searchRig({ summary, fails });
    // Generation 1 is estimated at about $0.53 and spends about $0.40; a second would pass $0.90.
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
    const childRun = (id: string) => id.endsWith('.run') && !id.includes('.p0.');
    for (let i = 0; i < 4000 && !sentIds(rig).some(childRun); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    await requestStop(deps, search.id, { mode: 'after_in_flight', userId: 'U0APPROVER1' });
    const done = await running;
    expect(done?.state).toBe('stopped');
    expect(done?.endReason).toBe('stopped by <@U0APPROVER1>');
    // What was sent (the parent's run and the first child's, on the two instances) was followed to its end;
    // the children still waiting for an instance never started, and no generation 2.
    expect(sentIds(rig).length).toBeLessThan(4);
    expect(sentIds(rig).filter((id) => id.includes('.g2.'))).toEqual([]);
    const sent = done?.variants.flatMap((v) => [v.smoke, v.run]).filter((run) => run?.dispatchKey);
    expect(sent?.length).toBe(sentIds(rig).length);
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
