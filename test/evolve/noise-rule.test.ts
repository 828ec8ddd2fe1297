import { describe, expect, it } from 'vitest';
import { finalVerdict, judgeGeneration, observedNoise } from '../../src/domain/evolve-noise-rule.js';
import { hashOf, ORIGIN, searchFixture, variant } from './search-fixture.js';

describe('the noise rule', () => {
  it('takes the spread of the parent’s repeats as the noise', () => {
    expect(observedNoise(searchFixture())).toEqual({ value: 0, known: false });
    const search = searchFixture({ variants: [variant(1, 0, ORIGIN, 2.2)] });
    expect(observedNoise(search).known).toBe(true);
    expect(observedNoise(search).value).toBeCloseTo(0.2);
  });

  it('keeps the parent when the best child beats it by no more than the noise', () => {
    // Parent measured 2.0 (origin) and 2.2 (re-run): mean 2.1, noise 0.2. Best child 1.95: 0.15 better.
    const search = searchFixture({
      variants: [
        variant(1, 0, ORIGIN, 2.2),
        variant(1, 1, hashOf('b'), 1.95),
        variant(1, 2, hashOf('c'), 2.3),
      ],
    });
    const judged = judgeGeneration(search, 1);
    expect(judged).toMatchObject({ replaced: false, parentHash: ORIGIN, best: 1.95 });
    expect(judged.noise).toBeCloseTo(0.2);
    expect(judged.parentMean).toBeCloseTo(2.1);
  });

  it('uses every sample of the parent: its re-run and the extra runs in idle slots (parent-sample-fill.ts)', () => {
    // Parent measured 2.0 (origin), 2.2 (p0), 2.05 (p1) and 1.9 (p2): mean 2.0375, noise 2.2 − 1.9 = 0.3.
    // The child at 1.8 beats the mean by 0.2375: more than the re-run alone showed (0.2), within the 0.3 seen.
    const search = searchFixture({
      variants: [
        variant(1, 0, ORIGIN, 2.2),
        variant(1, 1, ORIGIN, 2.05),
        variant(1, 2, ORIGIN, 1.9),
        // A sample dropped before it ran (its slot was gone) has no measurement and changes nothing.
        variant(1, 3, ORIGIN, undefined, { status: 'dropped', dropReason: 'slot gone' }),
        variant(1, 1, hashOf('b'), 1.8),
      ],
    });
    const judged = judgeGeneration(search, 1);
    expect(judged.noise).toBeCloseTo(0.3);
    expect(judged.parentMean).toBeCloseTo(2.0375);
    expect(judged).toMatchObject({ replaced: false, parentHash: ORIGIN, best: 1.8 });
    // With the re-run alone (no idle-slot samples), the same child would have replaced the parent.
    const fewer = searchFixture({ variants: [variant(1, 0, ORIGIN, 2.2), variant(1, 1, hashOf('b'), 1.8)] });
    expect(judgeGeneration(fewer, 1)).toMatchObject({ replaced: true, parentHash: hashOf('b') });
  });

  it('replaces the parent with a child that beats it by more than the noise, ignoring failed children', () => {
    const search = searchFixture({
      variants: [
        variant(1, 0, ORIGIN, 2.2),
        variant(1, 1, hashOf('b'), 1.7),
        // A failed child's leftover number never counts.
        variant(1, 2, hashOf('c'), undefined, { metric: 0.1 }),
      ],
    });
    expect(judgeGeneration(search, 1)).toMatchObject({ replaced: true, parentHash: hashOf('b'), best: 1.7 });
  });

  it('judges in the objective’s direction (max)', () => {
    const search = searchFixture({
      settings: { ...searchFixture().settings, objective: { metric: 'acc', direction: 'max' } },
      origin: { codeHash: ORIGIN, metric: 0.8 },
      variants: [
        variant(1, 0, ORIGIN, 0.81),
        variant(1, 1, hashOf('b'), 0.7),
        variant(1, 2, hashOf('c'), 0.9),
      ],
    });
    expect(judgeGeneration(search, 1)).toMatchObject({ replaced: true, parentHash: hashOf('c') });
  });

  it('keeps a parent it has no measurement of', () => {
    const search = searchFixture({
      origin: { codeHash: ORIGIN },
      variants: [variant(1, 0, ORIGIN, undefined), variant(1, 1, hashOf('b'), 1.0)],
    });
    expect(judgeGeneration(search, 1)).toMatchObject({ replaced: false, parentHash: ORIGIN });
  });

  it('calls the final result a real improvement only beyond the noise observed over the whole search', () => {
    const kept = searchFixture({
      parentHash: hashOf('b'),
      variants: [variant(1, 0, ORIGIN, 2.2), variant(1, 1, hashOf('b'), 1.7)],
    });
    expect(finalVerdict(kept)).toMatchObject({ kind: 'real_improvement', best: 1.7 });
    // The kept child's own re-run in generation 2 shows a much larger spread: the gain is within noise.
    const noisy = searchFixture({
      parentHash: hashOf('b'),
      variants: [...kept.variants, variant(2, 0, hashOf('b'), 2.4, { role: 'parent' })],
    });
    expect(finalVerdict(noisy).kind).toBe('within_noise');
    expect(finalVerdict(searchFixture()).kind).toBe('no_improvement');
  });
});
