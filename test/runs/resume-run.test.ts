import { describe, expect, it } from 'vitest';
import { startRunWorker } from '../../jobs/run-worker.js';
import type { ComputePool } from '../../src/config/compute-pools.js';
import { requestRun } from '../../src/runs/request-run.js';
import { requeueAttempt } from '../../src/runs/run-attempt.js';
import { findRun } from '../../src/runs/run-records.js';
import { seedCodeReadyPaper } from '../support/run-fixtures.js';
import { runHarness } from '../support/run-harness.js';
import { SimulatedCompute } from '../support/simulated-compute.js';
import { VirtualClock } from '../support/virtual-clock.js';

/**
 * The bot's side of spot resume (issue 12, item 3) on the real worker, SQLite and a simulated EC2: an
 * interrupted attempt is re-queued once, keyed by (run id, attempt), and the next attempt resumes from the
 * checkpoint on another instance; MAX_RESUMES bounds it.
 */
const MINUTE = 60_000;
const SPOT: ComputePool = {
  name: 'trn1-spot',
  instanceType: 'trn1.2xlarge',
  backend: 'neuron',
  mode: 'launch',
  launchTemplate: { id: 'lt-0123456789abcdef0', version: '$Default' },
  max: 2,
  market: 'spot-then-on-demand',
  hourlyUsd: 0.47,
  onDemandHourlyUsd: 1.34375,
  idleMinutes: 5,
};

async function interruptedOnce(maxResumes: string) {
  const clock = new VirtualClock('2026-12-05T09:00:00.000Z');
  let sim: SimulatedCompute | undefined;
  const harness = runHarness({
    clock,
    pools: [SPOT],
    env: { DAILY_BUDGET_USD: '1000', MAX_RESUMES: maxResumes },
    compute: (blobs) => {
      sim = new SimulatedCompute({
        clock,
        blobs,
        instanceIds: [],
        hourlyPriceUsd: 1.34375,
        bootMs: MINUTE,
        stopMs: MINUTE,
        runMs: () => 4 * MINUTE,
        pollMs: 5_000,
        checkpointEveryMs: MINUTE,
      });
      return sim;
    },
  });
  const compute = sim as SimulatedCompute;
  const { deps } = harness;
  const paper = await seedCodeReadyPaper(deps, 0);
  const worker = startRunWorker(deps, { waitSeconds: 0, idlePollMs: 1_000 });
  const queued = await requestRun(deps, {
    kind: 'approve',
    paperId: paper.id,
    codeHash: paper.currentCodeHash as string,
    userId: 'U0APPROVER1',
  });
  if (queued.kind !== 'queued') throw new Error(queued.kind);
  const runId = queued.run.runId;
  // Two and a half minutes into the code (two checkpoints saved), EC2 reclaims the spot instance.
  let interrupted = false;
  for (let spins = 0; spins < 3_000_000; spins += 1) {
    const started = compute.runStarts.get(runId);
    if (!interrupted && started !== undefined && clock.now().getTime() >= started + 2.5 * MINUTE) {
      interrupted = compute.interrupt(compute.launched[0]?.instanceId as string);
    }
    const state = (await deps.papers.get(paper.id))?.state;
    if (interrupted && (state === 'succeeded' || state === 'failed')) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await worker.stop();
  const stored = await deps.papers.get(paper.id);
  return { compute, deps, harness, paper: stored, run: stored && findRun(stored, runId), runId };
}

describe('resume after a spot interruption', () => {
  it('re-queues the run once per attempt and resumes it on-demand from the checkpoint, sending each attempt once', async () => {
    const { compute, deps, harness, paper, run, runId } = await interruptedOnce('2');
    expect(paper?.state).toBe('succeeded');
    expect(run).toMatchObject({ attempt: 2, interruptions: 1, resumes: 1, market: 'on-demand' });
    // Each attempt sent exactly once, under its own id; the second on a new on-demand instance.
    expect(compute.sent.map((command) => command.runId)).toEqual([runId, `${runId}.a2`]);
    expect(compute.launched.map((launch) => launch.market)).toEqual(['spot', 'on-demand']);
    expect(compute.terminated).toContain(compute.launched[0]?.instanceId);
    // Resumed from the 2-minute checkpoint: the two attempts' code time is 4.5 min, not 6.5.
    expect(compute.codeMs.get(runId)).toEqual([2.5 * MINUTE, 2 * MINUTE]);
    // A redelivery of attempt 1's message cannot re-queue it again: the key (run, attempt 1) is spent.
    const again = await requeueAttempt(deps.papers, paper?.id as string, runId, {
      attempt: 1,
      instanceId: compute.launched[0]?.instanceId as string,
      reason: 'interrupted',
      onDemandOnly: true,
      storyLine: 'again',
    });
    expect(again).toBeUndefined();
    expect(run?.story).toHaveLength(2);
    harness.close();
  });

  it('gives up after MAX_RESUMES and says why', async () => {
    const { compute, harness, paper, run, runId } = await interruptedOnce('0');
    expect(paper?.state).toBe('failed');
    expect(run).toMatchObject({ failureClass: 'instance_unavailable' });
    expect(compute.sent.map((command) => command.runId)).toEqual([runId]);
    harness.close();
  });
});
