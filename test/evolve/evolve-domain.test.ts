import { describe, expect, it } from 'vitest';
import { applySearchMove } from '../../src/domain/evolve-search-move.js';
import { diversityMix } from '../../src/evolve/diversity-mix.js';
import { improvementOf, parseObjective } from '../../src/domain/objective.js';
import { IllegalSearchTransitionError } from '../../src/domain/evolve-search-state.js';
import { hashOf, searchFixture } from './search-fixture.js';

const count = (labels: string[]) =>
  labels.reduce<Record<string, number>>((acc, label) => ({ ...acc, [label]: (acc[label] ?? 0) + 1 }), {});

describe('the diversity mix', () => {
  it('is the reference 3 / 4 / 2 / 1 for ten variants once two results can be crossed', () => {
    expect(count(diversityMix(10, { crossoverAvailable: true }))).toEqual({
      conservative: 3,
      moderate: 4,
      aggressive: 2,
      crossover: 1,
    });
  });

  it('gives the crossover’s place to the largest remainder while there is nothing to cross', () => {
    expect(count(diversityMix(10, { crossoverAvailable: false }))).toEqual({
      conservative: 3,
      moderate: 5,
      aggressive: 2,
    });
  });

  it('keeps every kind present from three places, and sums to N', () => {
    expect(diversityMix(3, { crossoverAvailable: false })).toEqual([
      'conservative',
      'moderate',
      'aggressive',
    ]);
    expect(diversityMix(3, { crossoverAvailable: true })).toEqual(['conservative', 'moderate', 'crossover']);
    expect(count(diversityMix(8, { crossoverAvailable: true }))).toEqual({
      conservative: 2,
      moderate: 3,
      aggressive: 2,
      crossover: 1,
    });
    for (let n = 1; n <= 16; n += 1) {
      expect(diversityMix(n, { crossoverAvailable: n % 2 === 0 })).toHaveLength(n);
    }
    expect(diversityMix(1, { crossoverAvailable: true })).toEqual(['moderate']);
    expect(() => diversityMix(0, { crossoverAvailable: false })).toThrow(RangeError);
  });
});

describe('the objective', () => {
  it('parses name:min|max and measures improvement in its direction', () => {
    expect(parseObjective('val_loss:min')).toEqual({ metric: 'val_loss', direction: 'min' });
    expect(parseObjective('accuracy:max')).toEqual({ metric: 'accuracy', direction: 'max' });
    expect(parseObjective('accuracy')).toBeUndefined();
    expect(parseObjective('acc;rm:max')).toBeUndefined();
    expect(improvementOf({ metric: 'l', direction: 'min' }, 1.5, 2)).toBe(0.5);
    expect(improvementOf({ metric: 'a', direction: 'max' }, 0.7, 0.9)).toBeCloseTo(-0.2);
  });
});

describe('the search state machine', () => {
  it('moves with a compare-and-set on the version and refuses a move out of a stale state', () => {
    const search = searchFixture({ state: 'judged', generation: 1 });
    const moved = applySearchMove(
      search,
      { from: 'judged', to: 'proposing', ifVersion: 1, patch: { generation: 2 } },
      '2026-12-05T09:00:00.000Z',
    );
    expect(moved.ok && moved.search).toMatchObject({ state: 'proposing', generation: 2, version: 2 });
    expect(applySearchMove(search, { from: 'judged', to: 'proposing', ifVersion: 7 }, 'x')).toMatchObject({
      ok: false,
      cause: 'stale_version',
    });
    expect(applySearchMove(search, { from: 'running', to: 'judged' }, 'x')).toMatchObject({
      ok: false,
      cause: 'wrong_state',
    });
    expect(() => applySearchMove(search, { from: 'judged', to: 'running' }, 'x')).toThrow(
      IllegalSearchTransitionError,
    );
    expect(() => applySearchMove(search, { from: 'finished', to: 'proposing' }, 'x')).toThrow(
      IllegalSearchTransitionError,
    );
  });

  it('keeps smoke only for searches stored before the smoke gate: they move on, none enters it', () => {
    const stored = searchFixture({ state: 'smoke', generation: 1 });
    expect(applySearchMove(stored, { from: 'smoke', to: 'running' }, 'now')).toMatchObject({
      ok: true,
      search: { state: 'running' },
    });
    const proposing = searchFixture({ state: 'proposing', generation: 1 });
    expect(applySearchMove(proposing, { from: 'proposing', to: 'running' }, 'now').ok).toBe(true);
    expect(() => applySearchMove(proposing, { from: 'proposing', to: 'smoke' }, 'now')).toThrow(
      IllegalSearchTransitionError,
    );
  });

  it('lets any live state stop, and none of the ends move again', () => {
    for (const state of ['planned', 'confirmed', 'proposing', 'smoke', 'running', 'judged'] as const) {
      const moved = applySearchMove(searchFixture({ state }), { from: state, to: 'stopped' }, 'now');
      expect(moved.ok).toBe(true);
    }
    expect(() =>
      applySearchMove(
        searchFixture({ state: 'capped', parentHash: hashOf('b') }),
        {
          from: 'capped',
          to: 'stopped',
        },
        'now',
      ),
    ).toThrow(IllegalSearchTransitionError);
  });
});
