import { improvementOf, type Objective } from './objective.js';
import type { EvolveSearch } from './evolve-search.js';

/**
 * Fair comparison (issue 13, item 4). Every variant of a generation runs with the same budget and seed, and
 * the parent runs again beside its children, so each parent collects repeated measurements of one script. The
 * spread of those repeats is the seed-to-seed (run-to-run) noise; a child replaces its parent only if it beats
 * the parent's mean by more than that noise.
 */

/** Every measurement of one script in this search (its re-runs, its run as a child, and the original run). */
export function samplesOf(search: EvolveSearch, codeHash: string): number[] {
  const values = search.variants
    .filter((variant) => variant.codeHash === codeHash && variant.status === 'succeeded')
    .map((variant) => variant.metric)
    .filter((value): value is number => value !== undefined);
  if (codeHash === search.origin.codeHash && search.origin.metric !== undefined)
    values.push(search.origin.metric);
  return values;
}

export interface Noise {
  /** The largest spread (max − min) seen between repeats of one script; 0 while nothing was repeated. */
  value: number;
  /** False until some script has two measurements: the thread then says the noise is not known yet. */
  known: boolean;
}

/** The largest spread among repeated measurements of any one script in the search: pooled, so conservative. */
export function observedNoise(search: EvolveSearch): Noise {
  const hashes = new Set([search.origin.codeHash, ...search.variants.flatMap((v) => v.codeHash ?? [])]);
  let value = 0;
  let known = false;
  for (const hash of hashes) {
    const samples = samplesOf(search, hash);
    if (samples.length < 2) continue;
    known = true;
    value = Math.max(value, Math.max(...samples) - Math.min(...samples));
  }
  return { value, known };
}

const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

export function meanOf(search: EvolveSearch, codeHash: string): number | undefined {
  const samples = samplesOf(search, codeHash);
  return samples.length > 0 ? mean(samples) : undefined;
}

export interface Judgement {
  /** The parent of the next generation. */
  parentHash: string;
  replaced: boolean;
  noise: number;
  /** The best child's metric, if any child finished with one. */
  best?: number;
  bestVariantId?: string;
  parentMean?: number;
}

function better(objective: Objective, a: number, b: number): boolean {
  return improvementOf(objective, a, b) > 0;
}

/**
 * Judge generation `k`: the best child (by the objective) replaces the parent only if it beats the parent's
 * mean by more than the observed noise. With no measurement of the parent at all there is nothing to beat
 * fairly, and the parent stays.
 */
export function judgeGeneration(search: EvolveSearch, generation: number): Judgement {
  const objective = search.settings.objective;
  const noise = observedNoise(search).value;
  const parentMean = meanOf(search, search.parentHash);
  let best: { id: string; hash: string; metric: number } | undefined;
  for (const variant of search.variants) {
    if (variant.generation !== generation || variant.role !== 'child') continue;
    if (variant.status !== 'succeeded' || variant.metric === undefined || !variant.codeHash) continue;
    if (!best || better(objective, variant.metric, best.metric))
      best = { id: variant.id, hash: variant.codeHash, metric: variant.metric };
  }
  const base = {
    noise,
    ...(parentMean !== undefined ? { parentMean } : {}),
    ...(best ? { best: best.metric, bestVariantId: best.id } : {}),
  };
  const replaced =
    best !== undefined &&
    parentMean !== undefined &&
    improvementOf(objective, best.metric, parentMean) > noise;
  return { ...base, parentHash: replaced && best ? best.hash : search.parentHash, replaced };
}

export type FinalVerdict =
  | { kind: 'no_improvement'; originMean?: number; noise: Noise }
  | { kind: 'real_improvement' | 'within_noise'; best: number; originMean: number; noise: Noise };

/**
 * The summary's verdict: the final parent against the original, each by the mean of its measurements. Real
 * only when the gain exceeds the noise observed over the whole search (which may have grown since the child
 * was kept).
 */
export function finalVerdict(search: EvolveSearch): FinalVerdict {
  const noise = observedNoise(search);
  const originMean = meanOf(search, search.origin.codeHash);
  const best = meanOf(search, search.parentHash);
  if (search.parentHash === search.origin.codeHash || best === undefined || originMean === undefined)
    return { kind: 'no_improvement', ...(originMean !== undefined ? { originMean } : {}), noise };
  const gain = improvementOf(search.settings.objective, best, originMean);
  return { kind: gain > noise.value ? 'real_improvement' : 'within_noise', best, originMean, noise };
}
