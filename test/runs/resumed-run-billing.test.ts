import { afterEach, describe, expect, it } from 'vitest';
import type { RunJob } from '../../src/domain/jobs.js';
import type { ReceivedMessage } from '../../src/ports/work-queue.js';
import { executeRun } from '../../src/runs/execute-run.js';
import { startBilling } from '../../src/runs/instance-billing.js';
import { requestRun } from '../../src/runs/request-run.js';
import { runHarness, type RunHarness } from '../support/run-harness.js';
import { seedCodeReadyPaper } from '../support/run-fixtures.js';
import { SimulatedCompute } from '../support/simulated-compute.js';
import { VirtualClock } from '../support/virtual-clock.js';

/**
 * Every instance second of a run is billed to its paper, even when the worker that started it died: the time
 * the command kept running while nobody watched it is the paper's, not idle time.
 */
const ID = 'i-0123456789abcdef0';
const MINUTE = 60_000;
let harness: RunHarness | undefined;

afterEach(() => harness?.close());

describe('instance time of a resumed run', () => {
  it('is billed to the paper and its run, start to finish, with nothing left as idle', async () => {
    const clock = new VirtualClock('2026-11-23T09:00:00.000Z');
    let compute!: SimulatedCompute;
    harness = runHarness({
      env: { INSTANCE_HOURLY_PRICE_USD: '1.2' },
      clock,
      compute: (blobs) =>
        (compute = new SimulatedCompute({
          clock,
          blobs,
          instanceIds: [ID],
          hourlyPriceUsd: 1.2,
          bootMs: 2 * MINUTE,
          stopMs: MINUTE,
          runMs: () => 10 * MINUTE,
        })),
    });
    const { deps } = harness;
    const paper = await seedCodeReadyPaper(deps, 0);
    const queued = await requestRun(deps, {
      kind: 'approve',
      paperId: paper.id,
      codeHash: paper.currentCodeHash as string,
      userId: 'U0APPROVER1',
    });
    if (queued.kind !== 'queued') throw new Error(queued.kind);
    const receive = async (): Promise<ReceivedMessage<RunJob>> => {
      const [message] = await deps.runQueue.receive({ max: 1, visibilitySeconds: 300 });
      if (!message) throw new Error('no run message');
      return message;
    };

    // Worker A: takes the lease, starts billing as the worker does, boots the instance, starts the command, dies.
    await receive();
    await deps.pool.tryAcquire(queued.run.runId);
    const startedAt = clock.now().getTime();
    await startBilling({ ...deps, hourlyPriceUsd: 1.2 }, ID);
    await compute.ensureReady(ID, () => undefined);
    const handle = await compute.startRun(ID, {
      runId: queued.run.runId,
      jobKey: 'x',
      timeoutSeconds: 900,
      dispatchKey: `${queued.run.runId}.d1`,
      sendBy: clock.now(),
    });
    await deps.papers.transition({
      paperId: paper.id,
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

    // Worker B picks the run up after the lease and the message lapse, and follows it to the end.
    clock.advance(6 * MINUTE);
    await executeRun(deps, await receive());
    expect((await deps.papers.get(paper.id))?.state).toBe('succeeded');

    const instance = (await deps.ledger.entries({ limit: 100 })).filter((entry) => entry.kind === 'instance');
    expect(instance.length).toBeGreaterThan(0);
    for (const entry of instance) {
      expect(entry).toMatchObject({
        purpose: 'run',
        paperId: paper.id,
        runId: queued.run.runId,
        resource: ID,
      });
    }
    const seconds = (clock.now().getTime() - startedAt) / 1000;
    const billed = instance.reduce((sum, entry) => sum + (entry.seconds ?? 0), 0);
    expect(Math.abs(billed - seconds)).toBeLessThanOrEqual(1);
    const summary = await deps.ledger.summarize({ since: '2026-11-23T00:00:00.000Z', paperId: paper.id });
    expect(summary.usd).toBeCloseTo((seconds / 3600) * 1.2, 3);
  });
});
