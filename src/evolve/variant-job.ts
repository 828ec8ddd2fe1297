import { RunnerJobSchema, type RunnerJob } from '../domain/runner-contract.js';
import { runKeys, type RunLocation } from '../domain/run-keys.js';
import { PermanentError } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { EvolveSearch, Variant } from '../domain/evolve-search.js';
import { isGated, smokeGateSeconds } from '../domain/evolve-smoke-gate.js';

/** `smoke`: a separate smoke run, only followed in searches stored before the smoke gate (evolve-search-state.ts). */
export type VariantStage = 'smoke' | 'run';

/** The runner's job id of a variant's smoke or full run: one per stage, so the runner refuses a second start. */
export function variantRunId(variant: Pick<Variant, 'id'>, stage: VariantStage): string {
  return `${variant.id}.${stage}`;
}

/** Seconds of training the stage gets: compile and a few steps, or the search's fixed budget. */
export function stageBudgetSeconds(search: EvolveSearch, stage: VariantStage): number {
  return stage === 'smoke' ? search.settings.smokeSeconds : Math.round(search.settings.minutes * 60);
}

/** Compile, fetch, profile and upload on top of the training budget (a first Neuron compile takes minutes). */
const STAGE_GRACE_SECONDS = 300;

/**
 * job.json of one variant stage, with its code copied beside it, as `writeRunnerJob` does for a paper's run.
 * Every variant of a search gets the same budget and the same seed (PYTHONHASHSEED, on the runner's
 * allowlist; the script's own torch seed is kept unchanged by the proposal rules). A child's run carries the
 * smoke gate (issue 13, item 3): the runner stops it within its first seconds unless it reports the objective,
 * so a broken variant costs seconds and a good one runs once.
 */
export async function writeVariantJob(
  deps: { blobs: BlobStore },
  search: EvolveSearch,
  variant: Variant,
  stage: VariantStage,
  location: RunLocation,
  backend: RunnerJob['backend'],
): Promise<{ key: string }> {
  const codeHash = variant.codeHash;
  const code = codeHash ? await deps.blobs.get(`code/${codeHash}.py`) : undefined;
  if (!codeHash || !code)
    throw new PermanentError(`The code of variant ${variant.id} is missing from the blob store`, {
      context: { searchId: search.id, variantId: variant.id },
    });
  const keys = runKeys(location);
  await deps.blobs.put(keys.code, code, { contentType: 'text/x-python' });
  const budget = stageBudgetSeconds(search, stage);
  const job = RunnerJobSchema.parse({
    schemaVersion: 1,
    runId: location.runId,
    paperId: search.paperId,
    codeHash,
    codeUri: deps.blobs.uriFor(keys.code),
    resultsUri: `${deps.blobs.uriFor(keys.resultPrefix.replace(/\/$/, ''))}/`,
    // The search's target on EC2 (a CUDA search's variants run with the CUDA backend and its profiler).
    backend,
    timeoutSeconds: budget + STAGE_GRACE_SECONDS,
    // The smoke run only has to show the script compiles and steps; profiling is for the full run.
    profile: stage === 'run',
    env: { SHERPA_RUN_BUDGET_SECONDS: String(budget), PYTHONHASHSEED: String(search.settings.seed) },
    // One search, one compile-cache scope: never shared with another paper's or another search's runs. The
    // runner uses it for Neuron only (trainium-runner/README.md, "The search's compile cache").
    compileCacheKey: search.id,
    ...(isGated(variant, stage)
      ? {
          smokeGate: { seconds: smokeGateSeconds(search, backend), metric: search.settings.objective.metric },
        }
      : {}),
  });
  await deps.blobs.put(keys.job, JSON.stringify(job, null, 2), { contentType: 'application/json' });
  return { key: keys.job };
}
