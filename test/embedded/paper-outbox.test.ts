import { describe, expect, it } from 'vitest';
import { requestCodegen } from '../../src/codegen/request-codegen.js';
import type { RunRecord } from '../../src/domain/run-record.js';
import { ingestPage } from '../../src/ingest/ingest-page.js';
import type { WorkQueue } from '../../src/ports/work-queue.js';
import { requestFix } from '../../src/runs/request-fix.js';
import { requestFixDeps } from '../../src/runs/run-services.js';
import { sendRunJob } from '../../src/runs/send-run-job.js';
import { seedCodeReadyPaper } from '../support/run-fixtures.js';
import { ingestAccepted, scrapedFromFixture } from '../support/sample-papers.js';
import { useRestartRig } from '../support/restart-rig.js';

/**
 * Issue 10, found item 8: embedded, a state change and the queue message it causes are one SQLite transaction.
 * Each test kills a service at the point where the message used to be written in a second transaction (its
 * queue call never returns), abandons it, and opens a fresh service on the same file without running any sweep:
 * exactly one message per transition must be there.
 */
const APPROVER = 'U0APPROVER1';
const rig = useRestartRig();
const startService = () => rig.start();

/** The process dies inside any separate send on this queue: the call never returns. */
function dieOnSend<T>(queue: WorkQueue<T>): Promise<'killed'> {
  return new Promise((resolve) => {
    const die = (): Promise<never> => {
      resolve('killed');
      return new Promise<never>(() => {});
    };
    queue.send = die;
    queue.sendMany = die;
  });
}

/** Every message on a queue of the restarted service, read by a receive that takes them all. */
async function everyMessage<T>(queue: WorkQueue<T>) {
  return queue.receive({ max: 100, visibilitySeconds: 60 });
}

describe('the embedded outbox (a transition and its message in one transaction)', () => {
  it('commits a code request with its codegen job', async () => {
    const first = startService();
    const paper = await ingestAccepted(first.deps.papers, 1);
    const killed = dieOnSend(first.deps.queues.codegen);
    await Promise.race([
      killed,
      requestCodegen(first.deps, { paperId: paper.id, from: 'accepted', actor: APPROVER }),
    ]);

    const restarted = startService();
    expect((await restarted.deps.papers.get(paper.id))?.state).toBe('code_requested');
    const jobs = await everyMessage(restarted.deps.queues.codegen);
    expect(jobs.map((job) => job.body)).toEqual([{ paperId: paper.id, requestedBy: APPROVER }]);
  });

  it('commits a fix round with its codegen job, under the dedupe id the sweep uses', async () => {
    const first = startService();
    const paper = await seedCodeReadyPaper(first.deps, 2);
    const run: RunRecord = {
      runId: 'r-1',
      codeHash: paper.currentCodeHash as string,
      status: 'failed',
      queuedAt: rig.clock.now().toISOString(),
      requestedBy: APPROVER,
    };
    for (const [from, to] of [
      ['code_ready', 'run_approved'],
      ['run_approved', 'queued'],
      ['queued', 'running'],
      ['running', 'failed'],
    ] as const) {
      const moved = await first.deps.papers.transition({
        paperId: paper.id,
        from,
        to,
        actor: 'test',
        patch: { runs: [run] },
      });
      expect(moved.ok).toBe(true);
    }
    const killed = dieOnSend(first.deps.queues.codegen);
    await Promise.race([
      killed,
      requestFix(requestFixDeps(first.deps), { paperId: paper.id, runId: 'r-1', userId: APPROVER }),
    ]);

    const restarted = startService();
    expect((await restarted.deps.papers.get(paper.id))?.state).toBe('code_requested');
    const jobs = await everyMessage(restarted.deps.queues.codegen);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.body).toMatchObject({ paperId: paper.id, fixOfRunId: 'r-1', requestedBy: APPROVER });
    // The fix round is the paper's second code request (the seed made the first): a sweep's re-send is a duplicate.
    const resent = await restarted.deps.queues.codegen.send(
      { paperId: paper.id, requestedBy: APPROVER },
      { dedupeId: `codegen:${paper.id}:2`, groupId: paper.id },
    );
    expect(resent.duplicate).toBe(true);
  });

  it('commits a run marked queued with its run job', async () => {
    const first = startService();
    const paper = await seedCodeReadyPaper(first.deps, 3);
    const run: RunRecord = {
      runId: 'r-2',
      codeHash: paper.currentCodeHash as string,
      status: 'queued',
      queuedAt: rig.clock.now().toISOString(),
      requestedBy: APPROVER,
    };
    const approved = await first.deps.papers.transition({
      paperId: paper.id,
      from: 'code_ready',
      to: 'run_approved',
      actor: APPROVER,
      patch: { runs: [run] },
    });
    if (!approved.ok) throw new Error('not approved');
    const killed = dieOnSend(first.deps.queues.run);
    await Promise.race([
      killed,
      sendRunJob({ ...first.deps, runQueue: first.deps.queues.run }, approved.paper, run, {}),
    ]);

    const restarted = startService();
    expect((await restarted.deps.papers.get(paper.id))?.state).toBe('queued');
    const jobs = await everyMessage(restarted.deps.queues.run);
    expect(jobs.map((job) => job.body)).toEqual([
      { paperId: paper.id, runId: 'r-2', codeHash: run.codeHash, requestedBy: APPROVER },
    ]);
  });

  it('commits a page of new papers with their judge jobs', async () => {
    const first = startService();
    const killed = dieOnSend(first.deps.queues.judge);
    const page = {
      records: [0, 1, 2].map((n) => {
        const paper = scrapedFromFixture(n);
        return { sourceId: paper.sourceId, paper, raw: { n } };
      }),
      skipped: [],
      nextCursor: undefined,
      total: 3,
    };
    await Promise.race([killed, ingestPage(first.deps, page, { startedAt: rig.clock.now().toISOString() })]);

    const restarted = startService();
    const stored = await restarted.deps.papers.listByState(['scraped']);
    expect(stored).toHaveLength(3);
    const jobs = await everyMessage(restarted.deps.queues.judge);
    expect(jobs.map((job) => job.body.paperId).sort()).toEqual(stored.map((paper) => paper.id).sort());
  });

  it('writes neither the transition nor the message when the message cannot be written', async () => {
    const service = startService();
    const paper = await ingestAccepted(service.deps.papers, 4);
    const outbox = service.deps.papers.outboxFor?.(service.deps.queues.codegen);
    if (!outbox) throw new Error('the embedded store should offer an outbox onto its own queue');
    await expect(
      outbox.transition(
        { paperId: paper.id, from: 'accepted', to: 'code_requested', actor: APPROVER },
        () => ({
          body: { paperId: paper.id } as never,
          options: { dedupeId: 'broken', groupId: paper.id },
        }),
      ),
    ).rejects.toThrow();
    expect((await service.deps.papers.get(paper.id))?.state).toBe('accepted');
    expect((await service.deps.queues.codegen.depth()).visible).toBe(0);
  });

  it('offers no outbox onto a queue in another database', async () => {
    const service = startService();
    const other = startService();
    expect(service.deps.papers.outboxFor?.(other.deps.queues.codegen)).toBeUndefined();
    expect(service.deps.papers.outboxFor?.(service.deps.queues.codegen)).toBeDefined();
  });
});
