import { decide } from '../approvals/decide.js';
import type { Config } from '../config/load-config.js';
import type { RunJob } from '../domain/jobs.js';
import type { AuditEntry, Paper } from '../domain/paper.js';
import type { PaperState } from '../domain/paper-state.js';
import type { RunRecord } from '../domain/run-record.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../ports/clock.js';
import type { CostLedger } from '../ports/cost-ledger.js';
import type { PaperStore } from '../ports/paper-store.js';
import type { WorkQueue } from '../ports/work-queue.js';
import { checkRunBudget, estimateRunUsd, type BudgetCheck } from './budget-guard.js';
import { newRunId } from '../domain/run-keys.js';
import { updateRun } from './run-records.js';
import { runDedupeId, sendRunJob } from './send-run-job.js';
import type { RunReporter } from './run-reporter.js';
import { newerCodeThanRunButton, paperNotInStore } from '../messages/click-replies.js';
import { overBudgetNote } from '../messages/budget-held.js';

export interface RequestRunDeps {
  papers: PaperStore;
  runQueue: WorkQueue<RunJob>;
  ledger: CostLedger;
  clock: Clock;
  config: Pick<Config, 'budget' | 'timezone' | 'codegen'>;
  logger: Logger;
  reporter: RunReporter;
  hourlyPriceUsd: number;
}

/** Run on Trainium (from the code step), Re-run (after a run), Override (a held run). */
export type RunRequestKind = 'approve' | 'rerun' | 'override';

export interface RunRequest {
  kind: RunRequestKind;
  paperId: string;
  codeHash: string;
  userId: string;
}

export type RunRequestOutcome =
  | { kind: 'queued'; paper: Paper; run: RunRecord; position?: number; decision?: AuditEntry }
  | { kind: 'held'; paper: Paper; budget: BudgetCheck; decision: AuditEntry }
  /** The button was for older code; the message says so (ephemeral). */
  | { kind: 'stale'; message: string }
  /** Someone decided first, or the paper is gone; the message says who and when. */
  | { kind: 'refused'; message: string };

const FROM: Record<RunRequestKind, readonly PaperState[]> = {
  approve: ['code_ready'],
  rerun: ['succeeded', 'failed'],
  override: ['run_held'],
};

/**
 * An approver's click, as one compare-and-set bound to the exact code hash on the button: over budget it
 * holds the run (`run_held`) for an override; otherwise it approves, posts the progress message, enqueues the
 * run and marks it queued. Only one run per paper (and so per code hash) can be in flight: the state gate
 * lets exactly one click through.
 */
export async function requestRun(deps: RequestRunDeps, request: RunRequest): Promise<RunRequestOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await requestRunOnce(deps, request);
    if (outcome.kind !== 'retry') return outcome;
    // Only a write that changed neither the state nor the runs (a progress ts, a thread) lands here.
    if (attempt >= MAX_CAS_ATTEMPTS) return { kind: 'refused', message: outcome.message };
  }
}

/** Re-reads on a version conflict caused by some other field before giving up. */
const MAX_CAS_ATTEMPTS = 8;

/**
 * One read and one compare-and-set on the version read: the new run is appended to the `runs` list as it was
 * read, so a write in between (another click's run, a worker's update of an earlier run) makes this one fail
 * instead of being overwritten (issue 10, found item 8).
 */
async function requestRunOnce(
  deps: RequestRunDeps,
  request: RunRequest,
): Promise<RunRequestOutcome | { kind: 'retry'; message: string }> {
  const paper = await deps.papers.get(request.paperId);
  if (!paper) return { kind: 'refused', message: paperNotInStore(request.paperId) };
  if (paper.currentCodeHash !== request.codeHash) {
    const latest = paper.codeVersions.find((version) => version.hash === paper.currentCodeHash);
    return {
      kind: 'stale',
      message: newerCodeThanRunButton(
        latest && { version: latest.version, shortHash: latest.hash.slice(0, 12) },
      ),
    };
  }
  const from = FROM[request.kind];

  if (request.kind !== 'override') {
    const budget = await checkRunBudget(deps, estimateRunUsd(deps.config, deps.hourlyPriceUsd));
    if (!budget.withinBudget) {
      const held = await decide(deps, {
        paperId: paper.id,
        from,
        to: 'run_held',
        actor: request.userId,
        artifactHash: request.codeHash,
        ifVersion: paper.version,
        note: overBudgetNote(budget),
      });
      if (!held.ok) return retryOrRefuse(paper, held);
      await deps.reporter.held(held.paper, {
        paperId: paper.id,
        codeHash: request.codeHash,
        requestedBy: request.userId,
        spentTodayUsd: budget.spentTodayUsd,
        estimateUsd: budget.estimateUsd,
        limitUsd: budget.limitUsd,
      });
      return { kind: 'held', paper: held.paper, budget, decision: held.audit };
    }
  }

  const run: RunRecord = {
    runId: newRunId(paper.id, deps.clock.now()),
    codeHash: request.codeHash,
    status: 'queued',
    queuedAt: deps.clock.now().toISOString(),
    requestedBy: request.userId,
  };
  const approved = await decide(deps, {
    paperId: paper.id,
    from,
    to: 'run_approved',
    actor: request.userId,
    artifactHash: request.codeHash,
    ifVersion: paper.version,
    ...(request.kind === 'override' ? { note: 'daily budget overridden' } : {}),
    patch: { runs: [...paper.runs, run] },
  });
  if (!approved.ok) return retryOrRefuse(paper, approved);
  const outcome = await enqueueApprovedRun(deps, approved.paper, run);
  return outcome.kind === 'queued' ? { ...outcome, decision: approved.audit } : outcome;
}

/**
 * A lost compare-and-set is a refusal when someone decided (the state moved, or a run was added), and worth
 * another read when only an unrelated field changed.
 */
function retryOrRefuse(
  read: Paper,
  lost: { paper: Paper | undefined; message: string },
): { kind: 'refused'; message: string } | { kind: 'retry'; message: string } {
  const current = lost.paper;
  const unrelated =
    current !== undefined &&
    current.state === read.state &&
    current.runs.length === read.runs.length &&
    current.currentCodeHash === read.currentCodeHash;
  return { kind: unrelated ? 'retry' : 'refused', message: lost.message };
}

/**
 * Post "queued, position N", then put the run on the queue and mark the paper queued (`sendRunJob`, which says
 * why the queue write comes first).
 */
export async function enqueueApprovedRun(
  deps: Pick<RequestRunDeps, 'papers' | 'runQueue' | 'logger' | 'reporter'>,
  paper: Paper,
  run: RunRecord,
): Promise<RunRequestOutcome> {
  const dedupeId = runDedupeId(run);
  const waiting = (await deps.runQueue.depth()).visible;
  const progressTs =
    run.progressTs ?? (await deps.reporter.progress(paper, run, { stage: 'queued', position: waiting + 1 }));
  if (progressTs && progressTs !== run.progressTs)
    await updateRun(deps.papers, paper.id, run.runId, { progressTs });
  const queued = await sendRunJob(deps, paper, run, { artifactHash: run.codeHash });
  const position = await deps.runQueue.position(dedupeId);
  deps.logger.info({ paperId: paper.id, runId: run.runId, position }, 'run queued');
  const current = queued.ok ? queued.paper : ((await deps.papers.get(paper.id)) ?? paper);
  const record = { ...run, ...(progressTs ? { progressTs } : {}) };
  // The worker may already have taken it (position undefined); then its own progress updates take over.
  if (position !== undefined && position !== waiting + 1) {
    await deps.reporter.progress(current, record, { stage: 'queued', position });
  }
  return { kind: 'queued', paper: current, run: record, ...(position !== undefined ? { position } : {}) };
}
