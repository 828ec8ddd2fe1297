import { afterEach, describe, expect, it } from 'vitest';
import { startRunWorker } from '../../jobs/run-worker.js';
import type { RunJob } from '../../src/domain/jobs.js';
import { executeRun } from '../../src/runs/execute-run.js';
import { recoverApprovedRuns } from '../../src/runs/recover-approved-runs.js';
import { requestRun } from '../../src/runs/request-run.js';
import { findRun } from '../../src/runs/run-records.js';
import type { ReceivedMessage } from '../../src/ports/work-queue.js';
import { runHarness, type RunHarness } from '../support/run-harness.js';
import { seedCodeReadyPaper } from '../support/run-fixtures.js';
import { SimulatedCompute } from '../support/simulated-compute.js';
import { VirtualClock } from '../support/virtual-clock.js';

const ID = 'i-0123456789abcdef0';
const MINUTE = 60_000;
const APPROVER = 'U0APPROVER1';

let harness: RunHarness;
let compute: SimulatedCompute;

function start(env: Record<string, string> = {}) {
  const clock = new VirtualClock('2026-11-23T09:00:00.000Z');
  harness = runHarness({
    env: { INSTANCE_HOURLY_PRICE_USD: '1.2', ...env },
    clock,
    compute: (blobs) => {
      compute = new SimulatedCompute({
        clock,
        blobs,
        instanceIds: [ID],
        hourlyPriceUsd: 1.2,
        bootMs: 2 * MINUTE,
        stopMs: MINUTE,
        runMs: () => 4 * MINUTE,
      });
      return compute;
    },
  });
  return { ...harness, clock };
}

afterEach(() => harness?.close());

async function approve(n = 0) {
  const { deps } = harness;
  const paper = await seedCodeReadyPaper(deps, n);
  const outcome = await requestRun(deps, {
    kind: 'approve',
    paperId: paper.id,
    codeHash: paper.currentCodeHash as string,
    userId: APPROVER,
  });
  if (outcome.kind !== 'queued') throw new Error(`expected queued, got ${outcome.kind}`);
  return outcome;
}

async function receiveOne(): Promise<ReceivedMessage<RunJob>> {
  const [message] = await harness.deps.runQueue.receive({ max: 1, visibilitySeconds: 300 });
  if (!message) throw new Error('no run message');
  return message;
}

describe('run worker', () => {
  it('takes a queued run through a cold start to succeeded, billing the instance time to the run', async () => {
    const { deps, reporter, clock } = start();
    const queued = await approve();
    expect(queued.position).toBe(1);
    expect(queued.paper.state).toBe('queued');

    const started = clock.now().getTime();
    await executeRun(deps, await receiveOne());

    const paper = await deps.papers.get(queued.paper.id);
    expect(paper?.state).toBe('succeeded');
    const run = paper && findRun(paper, queued.run.runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      instanceId: ID,
      commandId: `cmd-${queued.run.runId}`,
      resultKey: `results/${ID}/${queued.run.runId}/result.json`,
      headline: { name: 'loss', value: 1.4 },
    });
    expect(compute.starts).toHaveLength(1);
    expect(reporter.stagesOf(queued.run.runId)).toEqual(
      expect.arrayContaining(['queued', 'starting_instance', 'running', 'finished']),
    );
    // The lease is given back and the run's instance time (boot + run) is in the ledger at the instance price.
    expect(await deps.pool.holderOf(ID)).toBeUndefined();
    const entries = await deps.ledger.entries({ paperId: queued.paper.id });
    const billed = entries.filter((entry) => entry.kind === 'instance' && entry.purpose === 'run');
    expect(billed).toHaveLength(1);
    const seconds = (clock.now().getTime() - started) / 1000;
    expect(billed[0]?.seconds).toBe(Math.round(seconds));
    expect(billed[0]?.usd).toBeCloseTo((seconds / 3600) * 1.2, 6);
    expect(seconds).toBeGreaterThanOrEqual(6 * 60);

    const [result] = reporter.results;
    expect(result?.view.status).toBe('succeeded');
    expect(result?.view.metrics?.loss).toMatchObject({ first: 2.3, last: 1.4, best: 1.4 });
    expect(result?.view.cost.instanceSeconds).toBeCloseTo(seconds, 0);
    expect(result?.plot?.png.subarray(1, 4).toString()).toBe('PNG');
    // The job the runner was given holds only URIs under the run's own prefix.
    // The job, and a copy of the code, live in the instance's own job folder; results go to its own results folder.
    const job = JSON.parse((await deps.blobs.getText(`jobs/${ID}/${queued.run.runId}/job.json`)) as string);
    expect(job.resultsUri).toBe(`s3://sherpa-test/results/${ID}/${queued.run.runId}/`);
    expect(job.codeUri).toBe(`s3://sherpa-test/jobs/${ID}/${queued.run.runId}/train.py`);
    expect(job.backend).toBe('neuron');
    // The checkpoint is synced during the run every CHECKPOINT_SYNC_MINUTES (default 10), not only on a notice.
    expect(job.checkpointSyncSeconds).toBe(600);
  });

  it('resumes a run whose worker died mid-run instead of running it twice', async () => {
    const { deps, clock } = start();
    const queued = await approve();
    // Worker A takes the message and the lease, starts the command, then dies (no ack, no heartbeat).
    const first = await receiveOne();
    const lease = await deps.pool.tryAcquire(queued.run.runId);
    await compute.ensureReady(ID, () => undefined);
    const handle = await compute.startRun(ID, {
      runId: queued.run.runId,
      jobKey: 'x',
      timeoutSeconds: 600,
      dispatchKey: `${queued.run.runId}.d1`,
      sendBy: clock.now(),
    });
    await deps.papers.transition({
      paperId: queued.paper.id,
      from: 'queued',
      to: 'running',
      actor: 'system:run-worker',
      patch: {
        runs: [
          {
            ...queued.run,
            status: 'running',
            instanceId: ID,
            commandId: handle.commandId,
            startedAt: clock.now().toISOString(),
          },
        ],
      },
    });
    expect(first.attempt).toBe(1);
    expect(lease).toBeDefined();

    // Its lease lapses and the message becomes visible again; worker B picks the run up where it was.
    clock.advance(6 * MINUTE);
    const second = await receiveOne();
    expect(second.attempt).toBe(2);
    await executeRun(deps, second);

    expect((await deps.papers.get(queued.paper.id))?.state).toBe('succeeded');
    expect(compute.runs.size).toBe(1);
    expect(compute.starts).toHaveLength(1);
    expect((await deps.runQueue.depth()).visible + (await deps.runQueue.depth()).inFlight).toBe(0);
  });

  it('reports a run that keeps losing its worker as failed rather than dropping it', async () => {
    const { deps, clock, reporter } = start();
    const queued = await approve();
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      await receiveOne();
      clock.advance(6 * MINUTE);
    }
    const fifth = await receiveOne();
    expect(fifth.attempt).toBe(5);
    await executeRun(deps, fifth);
    const paper = await deps.papers.get(queued.paper.id);
    expect(paper?.state).toBe('failed');
    expect(paper && findRun(paper, queued.run.runId)?.failureClass).toBe('runner_error');
    expect(reporter.results[0]?.view.failure?.message).toMatch(/lost its worker 4 times/);
  });

  it('leaves a second delivery alone while the first worker still holds the run', async () => {
    const { deps } = start();
    const queued = await approve();
    const message = await receiveOne();
    await deps.pool.tryAcquire(queued.run.runId);
    await executeRun(deps, message);
    expect((await deps.papers.get(queued.paper.id))?.state).toBe('queued');
    expect(compute.runs.size).toBe(0);
    expect((await deps.runQueue.depth()).visible + (await deps.runQueue.depth()).inFlight).toBe(1);
  });

  it('re-sends an approved run whose enqueue a restart cut short, and then runs it', async () => {
    const { deps, clock } = start();
    const paper = await seedCodeReadyPaper(deps, 0);
    const codeHash = paper.currentCodeHash as string;
    // The handler got as far as the approval, then the process died before the queue write.
    await deps.papers.transition({
      paperId: paper.id,
      from: 'code_ready',
      to: 'run_approved',
      actor: APPROVER,
      artifactHash: codeHash,
      patch: {
        runs: [{ runId: 'r_stranded', codeHash, status: 'queued', queuedAt: clock.now().toISOString() }],
      },
    });
    expect(await recoverApprovedRuns(deps)).toBe(0); // still within the grace period
    clock.advance(3 * MINUTE);
    expect(await recoverApprovedRuns(deps)).toBe(1);
    expect((await deps.papers.get(paper.id))?.state).toBe('queued');
    await executeRun(deps, await receiveOne());
    expect((await deps.papers.get(paper.id))?.state).toBe('succeeded');
  });

  it('runs queued runs one at a time on the one instance, in order', async () => {
    const { deps } = start();
    const runs = [await approve(0), await approve(1), await approve(2)];
    expect(runs.map((run) => run.position)).toEqual([1, 2, 3]);
    const worker = startRunWorker(deps);
    for (;;) {
      const states = await Promise.all(runs.map(async (run) => (await deps.papers.get(run.paper.id))?.state));
      if (states.every((state) => state === 'succeeded')) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await worker.stop();
    const spans = await Promise.all(
      runs.map(async (queued) => {
        const paper = await deps.papers.get(queued.paper.id);
        const run = paper && findRun(paper, queued.run.runId);
        return [run?.startedAt ?? '', run?.finishedAt ?? ''] as const;
      }),
    );
    for (let index = 1; index < spans.length; index += 1) {
      expect((spans[index]?.[0] ?? '') >= (spans[index - 1]?.[1] ?? '')).toBe(true);
    }
    expect(compute.starts).toHaveLength(1);
  });
});
