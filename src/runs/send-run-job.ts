import type { RunJob } from '../domain/jobs.js';
import type { Paper } from '../domain/paper.js';
import type { RunRecord } from '../domain/run-record.js';
import type { PaperStore } from '../ports/paper-store.js';
import type { WorkQueue } from '../ports/work-queue.js';
import { transitionWithRun } from './run-records.js';

/** One run per code hash and run id: a re-send after a crash is the same message, never a second run. */
export const runDedupeId = (run: Pick<RunRecord, 'codeHash' | 'runId'>) => `${run.codeHash}:${run.runId}`;

/**
 * Move the paper `run_approved → queued` with its run on the run queue. Embedded, both are one SQLite
 * transaction (the store's outbox onto the queue). Otherwise the queue write comes first, so that a crash in
 * between leaves an approved run the recovery sweep re-sends under the same dedupe id, never a "queued" paper
 * with nothing on the queue.
 */
export async function sendRunJob(
  deps: { papers: PaperStore; runQueue: WorkQueue<RunJob> },
  paper: Paper,
  run: RunRecord,
  audit: { note?: string; artifactHash?: string },
) {
  const job: RunJob = {
    paperId: paper.id,
    runId: run.runId,
    codeHash: run.codeHash,
    requestedBy: run.requestedBy ?? 'unknown',
  };
  const options = { dedupeId: runDedupeId(run), groupId: paper.id };
  const request = {
    paperId: paper.id,
    from: ['run_approved'] as const,
    to: 'queued' as const,
    actor: 'system:run-queue',
    runId: run.runId,
    runPatch: {},
    ...audit,
  };
  const outbox = deps.papers.outboxFor?.(deps.runQueue);
  if (outbox) {
    return transitionWithRun(deps.papers, request, (transition) =>
      outbox.transition(transition, () => ({ body: job, options })),
    );
  }
  await deps.runQueue.send(job, options);
  return transitionWithRun(deps.papers, request);
}
