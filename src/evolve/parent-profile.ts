import type { EvolveSearch } from '../domain/evolve-search.js';
import type { RunnerResult } from '../domain/runner-contract.js';
import type { Logger } from '../logging/logger.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { PaperStore } from '../ports/paper-store.js';
import { readResult, readResultAt } from '../runner/read-run-files.js';

export interface ParentProfileDeps {
  papers: Pick<PaperStore, 'get'>;
  blobs: BlobStore;
  /** Where a variant's instance keeps its results (`Compute.storageScope`). */
  storageScope: (instanceId: string) => string;
  logger: Logger;
}

/**
 * The profile of the parent's last full run (issue 13, item 3), for the proposal prompt: the newest finished
 * full run of the parent's code in this search (its re-run beside its children, or the child's own run that
 * made it the parent), else the run the search started from (the paper's run record). Undefined when none left
 * a profile: the prompt then says so, and the model aims at hyper-parameters alone.
 */
export async function parentProfile(
  deps: ParentProfileDeps,
  search: EvolveSearch,
): Promise<RunnerResult['profile'] | undefined> {
  const runs = search.variants
    .filter((v) => v.codeHash === search.parentHash && v.run?.outcome === 'succeeded' && v.run.instanceId)
    .sort((a, b) => (a.run?.finishedAt ?? '').localeCompare(b.run?.finishedAt ?? ''));
  const latest = runs.at(-1)?.run;
  try {
    if (latest?.instanceId) {
      const result = await readResult(deps.blobs, {
        runId: latest.runId,
        scope: deps.storageScope(latest.instanceId),
      });
      if (result?.profile) return result.profile;
    }
    const originRunId = search.origin.runId;
    if (!originRunId || search.parentHash !== search.origin.codeHash) return undefined;
    const paper = await deps.papers.get(search.paperId);
    const origin = paper?.runs.find((run) => run.runId === originRunId);
    if (!origin?.resultKey) return undefined;
    return (await readResultAt(deps.blobs, origin.resultKey, originRunId))?.profile;
  } catch (error) {
    // A result that breaks the contract costs the prompt its profile, not the generation.
    deps.logger.warn({ err: error, searchId: search.id }, 'the parent’s profile could not be read');
    return undefined;
  }
}
