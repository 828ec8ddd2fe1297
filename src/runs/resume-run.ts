import type { Config } from '../config/load-config.js';
import type { Paper } from '../domain/paper.js';
import type { RunRecord } from '../domain/run-record.js';
import type { Logger } from '../logging/logger.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { PaperStore } from '../ports/paper-store.js';
import { formatDuration } from '../messages/format-units.js';
import type { RunEnding } from './final-report.js';
import type { InstanceLease, InstancePool } from './instance-pool.js';
import type { ProgressTracker } from './progress-tracker.js';
import { attemptOf, checkpointPrefixOf, requeueAttempt } from './run-attempt.js';
import { runKeys, type RunLocation } from '../domain/run-keys.js';
import { findRun, updateRun } from './run-records.js';

/** Add a line to the story the run's one progress message tells (fall-throughs, interruptions, resumes). */
export async function appendStory(
  papers: PaperStore,
  paperId: string,
  runId: string,
  line: string,
): Promise<Paper | undefined> {
  const paper = await papers.get(paperId);
  const run = paper && findRun(paper, runId);
  if (!run || run.story?.at(-1) === line) return paper;
  return updateRun(papers, paperId, runId, { story: [...(run.story ?? []), line] });
}

/** The run's place among runs waiting for an instance (1 = next), by approval time. */
export async function queuePosition(papers: PaperStore, run: RunRecord): Promise<number> {
  const waiting = (await papers.listByState(['queued', 'running'])).flatMap((paper) =>
    paper.runs.filter((candidate) => candidate.status === 'queued' && candidate.queuedAt < run.queuedAt),
  );
  return waiting.length + 1;
}

export interface ResumeDeps {
  papers: PaperStore;
  blobs: BlobStore;
  pool: InstancePool;
  config: Pick<Config, 'compute'>;
}

type AttemptVerdict = { kind: 'requeued'; reason: string } | { kind: 'finish'; ending: RunEnding };

/**
 * After an attempt's command ended: decide whether the run resumes (issue 12, item 3). A result with status
 * `interrupted` (a spot notice) or a command that vanished with its instance (`lost`, `undeliverable`) ends
 * the attempt; while resumes are left (MAX_RESUMES) the run is re-queued keyed by (run id, attempt), on the
 * same backend, never on the lost instance, on-demand after a spot interruption on `spot-then-on-demand`,
 * with the checkpoint the attempt synced. The launched instance it was on is terminated. Anything else
 * finishes the run as before.
 */
export async function endAttempt(
  deps: ResumeDeps,
  ctx: {
    paper: Paper;
    run: RunRecord;
    lease: InstanceLease;
    location: RunLocation;
    ending: RunEnding;
    tracker: ProgressTracker;
    log: Logger;
    elapsedSeconds: number;
  },
): Promise<AttemptVerdict> {
  const { ending, lease, run, log } = ctx;
  const interrupted = ending.kind === 'result' && ending.result.status === 'interrupted';
  const lost =
    ending.kind === 'no_result' &&
    (ending.poll.outcome === 'lost' || ending.poll.outcome === 'undeliverable');
  if (!interrupted && !lost) return { kind: 'finish', ending };

  const attempt = attemptOf(run);
  const resumes = run.resumes ?? 0;
  const what = interrupted ? 'a spot interruption' : 'the loss of its instance';
  if (resumes >= deps.config.compute.maxResumes) {
    return {
      kind: 'finish',
      ending: {
        kind: 'error',
        failureClass: 'instance_unavailable',
        message: `Attempt ${attempt} ended with ${what}, and the run has already resumed ${resumes} time(s) (MAX_RESUMES=${deps.config.compute.maxResumes}).`,
      },
    };
  }
  const prefix = checkpointPrefixOf(runKeys(ctx.location).resultPrefix);
  const synced = (await deps.blobs.list(prefix)).length > 0;
  if (interrupted && ending.result.checkpoint && !ending.result.checkpoint.uri.endsWith(prefix))
    log.warn({ uri: ending.result.checkpoint.uri, prefix }, 'the runner synced its checkpoint elsewhere');
  const onDemandOnly = interrupted && lease.pool.market === 'spot-then-on-demand';
  const where = `\`${lease.instanceId}\` (pool \`${lease.pool.name}\`, ${lease.market})`;
  const cause = interrupted
    ? `:zap: Attempt ${attempt} on ${where} was interrupted by a spot notice after ${formatDuration(ctx.elapsedSeconds)}`
    : `:warning: Attempt ${attempt} lost ${where} (${ending.kind === 'no_result' ? ending.poll.detail : 'no answer'})`;
  const from = synced ? 'from its last synced checkpoint' : 'from the start (no checkpoint was synced)';
  const storyLine = `${cause}; resuming ${from} on another instance${onDemandOnly ? ', on-demand' : ''}.`;

  // A launched instance is never reused after it was lost under a run: terminate it now (a spot reclaim
  // would anyway), which also frees its slot in the pool.
  if (lease.pool.mode === 'launch') await deps.pool.retire(lease.instanceId);

  const requeued = await requeueAttempt(deps.papers, ctx.paper.id, run.runId, {
    attempt,
    instanceId: lease.instanceId,
    reason: interrupted ? 'interrupted' : 'lost',
    ...(synced ? { checkpointPrefix: prefix } : {}),
    onDemandOnly,
    storyLine,
  });
  if (requeued) {
    const next = findRun(requeued, run.runId) ?? run;
    ctx.tracker.refresh(requeued, next);
    await ctx.tracker.show({ stage: 'queued' }, true);
    log.warn(
      { attempt, instanceId: lease.instanceId, synced, onDemandOnly },
      'attempt ended early; run re-queued',
    );
  } else log.info({ attempt }, 'attempt already re-queued by an earlier delivery');
  return { kind: 'requeued', reason: `attempt ${attempt} ended with ${what}` };
}
