import type { VariantLabel } from '../domain/evolve-search.js';

/**
 * The share of each kind of change in a generation, after the reference pipeline (seed 003: 3 conservative,
 * 4 moderate, 2 aggressive, 1 crossover per 10): small learning-rate moves, changes of depth, width or batch,
 * radical combinations, and one crossover of the two best ideas so far.
 */
const WEIGHTS: readonly [VariantLabel, number][] = [
  ['conservative', 3],
  ['moderate', 4],
  ['aggressive', 2],
];

/**
 * The labels of a generation of `n` variants, in prompt order. A crossover needs two earlier successes to
 * cross, so without them its place goes to the others. Shares are rounded by largest remainder; with three or
 * more places, each of the three kinds gets at least one so a generation never searches in one direction only.
 */
export function diversityMix(n: number, options: { crossoverAvailable: boolean }): VariantLabel[] {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`a generation needs at least one variant, not ${n}`);
  const crossovers = options.crossoverAvailable && n >= 2 ? Math.max(1, Math.round(n / 10)) : 0;
  const rest = n - crossovers;
  const total = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
  const exact = WEIGHTS.map(([label, weight]) => ({ label, share: (rest * weight) / total }));
  const counts = exact.map(({ share }) => Math.floor(share));
  const byRemainder = exact
    .map(({ share }, index) => ({ index, remainder: share - Math.floor(share) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  let left = rest - counts.reduce((sum, count) => sum + count, 0);
  for (const { index } of byRemainder) {
    if (left === 0) break;
    counts[index] = (counts[index] ?? 0) + 1;
    left -= 1;
  }
  if (rest >= WEIGHTS.length) {
    // Take a place from the largest share for any kind left at zero.
    for (let index = 0; index < counts.length; index += 1) {
      if (counts[index] !== 0) continue;
      const largest = counts.indexOf(Math.max(...counts));
      counts[largest] = (counts[largest] ?? 0) - 1;
      counts[index] = 1;
    }
  }
  const labels: VariantLabel[] = [];
  WEIGHTS.forEach(([label], index) => {
    for (let i = 0; i < (counts[index] ?? 0); i += 1) labels.push(label);
  });
  for (let i = 0; i < crossovers; i += 1) labels.push('crossover');
  return labels;
}
