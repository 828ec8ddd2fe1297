import { EvolveSearchSchema, type EvolveSearch, type Variant } from '../../src/domain/evolve-search.js';

export const ORIGIN = 'a'.repeat(64);
export const hashOf = (c: string) => c.repeat(64);

/** A confirmed search on paper p_1 from ORIGIN, minimising val_loss; override anything. */
export function searchFixture(overrides: Partial<EvolveSearch> = {}): EvolveSearch {
  return EvolveSearchSchema.parse({
    id: 's_1',
    paperId: 'p_1',
    version: 1,
    state: 'confirmed',
    generation: 0,
    settings: {
      variants: 3,
      generations: 2,
      minutes: 5,
      smokeSeconds: 30,
      maxUsd: 10,
      objective: { metric: 'val_loss', direction: 'min' },
      target: 'neuron',
      seed: 1234,
      startRepeats: 0,
    },
    origin: { codeHash: ORIGIN, runId: 'r_origin', metric: 2.0 },
    parentHash: ORIGIN,
    requestedBy: 'U0APPROVER1',
    createdAt: '2026-12-05T08:00:00.000Z',
    updatedAt: '2026-12-05T08:00:00.000Z',
    ...overrides,
  });
}

/** A finished variant of generation `generation` with the given code and metric (undefined = failed). */
export function variant(
  generation: number,
  index: number,
  codeHash: string,
  metric: number | undefined,
  extra: Partial<Variant> = {},
): Variant {
  const role = codeHash === ORIGIN || extra.role === 'parent' ? 'parent' : 'child';
  return {
    id: `s_1.g${generation}.${role === 'parent' ? 'p' : 'v'}${index}`,
    generation,
    role,
    label: role === 'parent' ? 'parent' : 'moderate',
    strategy: role === 'parent' ? 'the parent again' : `change ${index}`,
    parentHash: ORIGIN,
    codeHash,
    repaired: false,
    status: metric === undefined ? 'failed' : 'succeeded',
    ...(metric === undefined ? { failureClass: 'python_exception' } : { metric }),
    costUsd: 0,
    ...extra,
  };
}
