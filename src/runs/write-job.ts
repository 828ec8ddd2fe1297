import type { Config } from '../config/load-config.js';
import type { Paper } from '../domain/paper.js';
import { PermanentError } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Compute } from '../ports/compute.js';
import { runKeys, type RunLocation } from '../domain/run-keys.js';
import { RunnerJobSchema, type RunnerJob } from '../domain/runner-contract.js';
import type { RunRecord } from '../domain/run-record.js';
import { checkpointPrefixOf, copyCheckpoint } from './run-attempt.js';

/**
 * job.json for one run, with a copy of the approved code beside it: where the code is, where results go (the
 * run's own prefix), the backend and the limits. It carries URIs only; the runner needs no credential
 * beyond the instance's own role, which can read nothing but its own job folder.
 */
/** The backend a run's code is written for: its code version's, else `neuron` (every version before issue 12). */
export function runBackendOf(paper: Paper, run: { codeHash: string }): 'neuron' | 'cuda' {
  return paper.codeVersions.find((version) => version.hash === run.codeHash)?.backend ?? 'neuron';
}

export async function writeRunnerJob(
  deps: { blobs: BlobStore; compute: Pick<Compute, 'kind'>; config: Pick<Config, 'compute'> },
  paper: Paper,
  run: RunRecord,
  location: RunLocation,
): Promise<{ key: string; job: RunnerJob }> {
  const version = paper.codeVersions.find((candidate) => candidate.hash === run.codeHash);
  if (!version) {
    throw new PermanentError(`Code ${run.codeHash.slice(0, 12)} is not among the paper's code versions`, {
      context: { paperId: paper.id, runId: run.runId },
    });
  }
  const code = await deps.blobs.get(version.blobKey);
  if (!code) {
    throw new PermanentError(
      `The code ${run.codeHash.slice(0, 12)} is missing from the blob store (${version.blobKey})`,
    );
  }
  const keys = runKeys(location);
  await deps.blobs.put(keys.code, code, { contentType: 'text/x-python' });
  // A resumed attempt: the previous attempt's checkpoint, next to the code, where this instance may read it.
  const checkpoint = run.resume?.checkpointPrefix
    ? await copyCheckpoint(deps.blobs, run.resume.checkpointPrefix, checkpointPrefixOf(keys.jobPrefix))
    : undefined;
  const job = RunnerJobSchema.parse({
    schemaVersion: 1,
    runId: run.runId,
    paperId: paper.id,
    codeHash: run.codeHash,
    codeUri: deps.blobs.uriFor(keys.code),
    // A prefix, not an object: built from the directory's URI so both stores accept it.
    resultsUri: `${deps.blobs.uriFor(keys.resultPrefix.replace(/\/$/, ''))}/`,
    backend: deps.compute.kind === 'ec2' ? runBackendOf(paper, run) : deps.config.compute.localBackend,
    timeoutSeconds: deps.config.compute.runTimeoutMinutes * 60,
    profile: true,
    env: {},
    // Synced during the run, not only on a notice: a lost instance (no notice) costs at most this interval.
    checkpointSyncSeconds: deps.config.compute.checkpointSyncMinutes * 60,
    ...(checkpoint
      ? { resumeFrom: { checkpointUri: `${deps.blobs.uriFor(checkpoint.replace(/\/$/, ''))}/` } }
      : {}),
    ...(run.interruptions ? { priorInterruptions: run.interruptions } : {}),
    // The runner counts this attempt's own resume when it restores the checkpoint (runner.py): it gets the
    // resumes before this attempt. The bot's `resumes` already counts this one (it was re-queued for it).
    ...((run.resumes ?? 0) > 1 ? { priorResumes: (run.resumes ?? 0) - 1 } : {}),
  });
  await deps.blobs.put(keys.job, JSON.stringify(job, null, 2), { contentType: 'application/json' });
  return { key: keys.job, job };
}
