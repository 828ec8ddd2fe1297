import { codeHashOf, storeCode } from '../codegen/store-code-version.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { SearchStore } from '../ports/search-store.js';
import type { RunnerResult } from '../domain/runner-contract.js';
import { diversityMix } from './diversity-mix.js';
import { leaderboardForPrompt } from '../domain/evolve-leaderboard.js';
import { improvementOf } from '../domain/objective.js';
import { profileLines } from './profile-lines.js';
import { proposeVariants, type ProposeDeps } from './propose-variants.js';
import type { EvolveSearch, GenerationRecord, Variant } from '../domain/evolve-search.js';

export interface GenerationStepDeps {
  searches: SearchStore;
  blobs: BlobStore;
  clock: Clock;
  propose: ProposeDeps;
  /** The parent's last profile, if one of its runs left a result (the runner's result.json). */
  parentProfile: (search: EvolveSearch) => Promise<RunnerResult['profile'] | undefined>;
}

/** The two best finished variants so far, for the crossover. */
function bestTwo(search: EvolveSearch) {
  const { objective } = search.settings;
  return (
    search.variants
      .filter((v) => v.role === 'child' && v.status === 'succeeded' && v.metric !== undefined)
      // Best first: b is better than a by a positive amount when b should come first.
      .sort((a, b) => improvementOf(objective, b.metric as number, a.metric as number))
      .slice(0, 2)
      .map((v) => ({ strategy: v.strategy, metric: v.metric as number }))
  );
}

const generationOf = (search: EvolveSearch, k: number) => search.generations.find((g) => g.generation === k);

function withGeneration(search: EvolveSearch, record: GenerationRecord): GenerationRecord[] {
  return [...search.generations.filter((g) => g.generation !== record.generation), record];
}

/**
 * The proposal of generation k, once (issue 13, item 7): a marker is written before the call, and the
 * variants, their code and the call's usage are recorded with the move to `running` in one compare-and-set. A
 * worker that finds the marker without the variants knows the call may have been made by a worker that died
 * before recording it: it calls again, and the record counts both calls (exactly once, or visibly not).
 */
export async function proposeGeneration(
  deps: GenerationStepDeps,
  search: EvolveSearch,
): Promise<EvolveSearch> {
  const k = search.generation;
  const existing = generationOf(search, k) ?? {
    generation: k,
    llmCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    llmUsd: 0,
  };
  const marked = await deps.searches.update(
    search.id,
    {
      generations: withGeneration(search, {
        ...existing,
        callStartedAt: deps.clock.now().toISOString(),
        callAttempts: (existing.callAttempts ?? 0) + 1,
      }),
    },
    { ifVersion: search.version },
  );
  if (!marked) return (await deps.searches.get(search.id)) ?? search;

  const parentCode = await deps.blobs.getText(`code/${search.parentHash}.py`);
  if (parentCode === undefined)
    throw new Error(`the parent code ${search.parentHash.slice(0, 12)} is missing`);
  const best = bestTwo(search);
  const labels = diversityMix(search.settings.variants, { crossoverAvailable: best.length === 2 });
  const outcome = await proposeVariants(deps.propose, {
    paperId: search.paperId,
    search,
    parentCode,
    labels,
    leaderboard: leaderboardForPrompt(search),
    profile: profileLines(await deps.parentProfile(search)),
    bestTwo: best,
  });
  const children: Variant[] = [];
  for (const [index, proposed] of outcome.variants.entries()) {
    const stored = proposed.code ? await storeCode(deps.blobs, proposed.code) : undefined;
    children.push({
      id: `${search.id}.g${k}.v${index}`,
      generation: k,
      role: 'child',
      label: proposed.label,
      strategy: proposed.strategy,
      parentHash: search.parentHash,
      ...(stored ? { codeHash: stored.hash } : {}),
      diff: proposed.diff,
      repaired: proposed.repaired,
      status: proposed.dropReason ? 'dropped' : 'proposed',
      ...(proposed.dropReason ? { dropReason: proposed.dropReason } : {}),
      costUsd: 0,
    });
  }
  // The parent's run of this generation is recorded when the generation starts (`parentRunOf`), so it can run
  // during this call; a record from before that change gets it here.
  const parentRun = parentRunOf(search, k, codeHashOf(parentCode));
  const attempt = generationOf(marked, k)?.callAttempts;
  // The parent's run updates the record during the call: a version conflict from it is merged and written
  // again, never answered with a second call. A record that moved on, or another worker's marker, is left.
  let latest: EvolveSearch = marked;
  for (let tries = 0; tries < 16; tries += 1) {
    const current = generationOf(latest, k) ?? existing;
    const ours =
      latest.state === 'proposing' &&
      latest.generation === k &&
      current.callAttempts === attempt &&
      !latest.variants.some((v) => v.generation === k && v.role === 'child');
    if (!ours) return latest;
    const hasParent = latest.variants.some((v) => v.id === parentRun.id);
    const moved = await deps.searches.move(search.id, {
      from: 'proposing',
      to: 'running',
      ifVersion: latest.version,
      patch: {
        variants: [...latest.variants, ...children, ...(hasParent ? [] : [parentRun])],
        generations: withGeneration(latest, {
          ...current,
          proposedAt: deps.clock.now().toISOString(),
          llmCalls: current.llmCalls + outcome.calls,
          inputTokens: current.inputTokens + outcome.inputTokens,
          outputTokens: current.outputTokens + outcome.outputTokens,
          llmUsd: current.llmUsd + outcome.usd,
        }),
      },
    });
    if (moved.ok) return moved.search;
    if (moved.reason === 'not_found') return search;
    latest = moved.search;
  }
  return latest;
}

/** The parent again in generation k, beside its children: the thread sees the run-to-run noise every generation. */
export function parentRunOf(
  search: Pick<EvolveSearch, 'id' | 'parentHash'>,
  k: number,
  codeHash: string,
): Variant {
  return {
    id: `${search.id}.g${k}.p0`,
    generation: k,
    role: 'parent',
    label: 'parent',
    strategy: 'the parent again (noise)',
    parentHash: search.parentHash,
    codeHash,
    repaired: false,
    status: 'proposed',
    costUsd: 0,
  };
}
