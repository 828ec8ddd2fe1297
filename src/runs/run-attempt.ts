import type { Paper } from '../domain/paper.js';
import type { RunRecord } from '../domain/run-record.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { PaperStore } from '../ports/paper-store.js';
import { findRun, runsWith } from './run-records.js';

/**
 * A run's attempts (issue 12, item 3). Attempt 1 keeps the run id; attempt n > 1 runs as `<runId>.a<n>`: its
 * own job and result folders and its own dispatch keys, so a redelivered message can follow or adopt the
 * attempt under way but never send an attempt twice, and never read an earlier attempt's result as its own.
 */
export function attemptOf(run: RunRecord): number {
  return run.attempt ?? 1;
}

export function attemptRunId(run: RunRecord): string {
  const attempt = attemptOf(run);
  return attempt > 1 ? `${run.runId}.a${attempt}` : run.runId;
}

/** Where the runner syncs SHERPA_CHECKPOINT_DIR (trainium-runner: `<resultsUri>checkpoint/`). */
export const checkpointPrefixOf = (resultPrefix: string) => `${resultPrefix}checkpoint/`;

export interface AttemptEnd {
  /** The attempt that ended: the key of the re-queue. */
  attempt: number;
  instanceId: string;
  /** `interrupted`: a spot notice; `lost`: the instance or its agent went away. */
  reason: 'interrupted' | 'lost';
  checkpointPrefix?: string;
  onDemandOnly: boolean;
  storyLine: string;
}

/**
 * Put the run back in the queue for its next attempt, keyed by (run id, attempt): only the worker that saw
 * attempt n end moves the record to n + 1, under the paper's version check; a redelivery of the same message
 * finds the attempt already advanced and changes nothing. Returns the paper, or undefined when the record
 * was no longer at that attempt (someone else re-queued it, or it finished).
 */
export async function requeueAttempt(
  papers: PaperStore,
  paperId: string,
  runId: string,
  end: AttemptEnd,
): Promise<Paper | undefined> {
  for (let tries = 0; tries < 8; tries += 1) {
    const paper = await papers.get(paperId);
    const run = paper && findRun(paper, runId);
    if (!paper || !run || attemptOf(run) !== end.attempt) return undefined;
    if (run.status === 'succeeded' || run.status === 'failed') return undefined;
    const next: RunRecord = {
      ...run,
      attempt: end.attempt + 1,
      status: 'queued',
      resume: {
        ...(end.checkpointPrefix ? { checkpointPrefix: end.checkpointPrefix } : {}),
        onDemandOnly: end.onDemandOnly || Boolean(run.resume?.onDemandOnly),
        avoid: [...(run.resume?.avoid ?? []), end.instanceId],
      },
      interruptions: (run.interruptions ?? 0) + (end.reason === 'interrupted' ? 1 : 0),
      resumes: (run.resumes ?? 0) + 1,
      story: [...(run.story ?? []), end.storyLine],
    };
    delete next.commandId;
    delete next.dispatch;
    delete next.instanceId;
    const updated = await papers.update(
      paperId,
      { runs: runsWith(paper, next) },
      { ifVersion: paper.version },
    );
    if (updated) return updated;
  }
  return undefined;
}

/**
 * Copy the checkpoint an earlier attempt synced into this attempt's job folder: the new instance's role may
 * read only its own `jobs/<scope>/` (infra/), so the checkpoint travels the way the code does. Returns the
 * prefix key, or undefined when there is nothing to copy.
 */
export async function copyCheckpoint(
  blobs: BlobStore,
  fromPrefix: string,
  toPrefix: string,
): Promise<string | undefined> {
  const keys = await blobs.list(fromPrefix);
  if (keys.length === 0) return undefined;
  for (const key of keys) {
    const body = await blobs.get(key);
    if (body) await blobs.put(`${toPrefix}${key.slice(fromPrefix.length)}`, body);
  }
  return toPrefix;
}
