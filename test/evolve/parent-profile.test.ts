import { afterEach, describe, expect, it } from 'vitest';
import { driveSearch } from '../../src/evolve/drive-search.js';
import { parentProfile, type ParentProfileDeps } from '../../src/evolve/parent-profile.js';
import { createLogger } from '../../src/logging/logger.js';
import type { Paper } from '../../src/domain/paper.js';
import { searchRig, type SearchRig } from './search-rig.js';

const METRICS: Record<string, number> = { 'g1.p0': 2.05, 'g1.v0': 1.99, 'g1.v1': 1.7, 'g1.v2': 2.2 };
const summary = (runId: string) => {
  const key = /\.(g\d\.[pv]\d)\.run$/.exec(runId)?.[1];
  return key && METRICS[key] !== undefined ? { val_loss: METRICS[key] } : undefined;
};

let rig: SearchRig | undefined;
afterEach(() => rig?.close());

describe('the parent’s profile for the proposal prompt', () => {
  it('is the origin run’s for generation 1, then the kept child’s own run', async () => {
    rig = searchRig({ summary });
    const r = rig;
    const search = await r.seed({ generations: 1 });
    // The origin run's result.json, as the paper's run record points at it.
    const originResult = {
      schemaVersion: 1,
      runId: 'r_origin',
      status: 'succeeded',
      backend: 'neuron',
      exitCode: 0,
      startedAt: '2026-12-05T08:00:00.000Z',
      finishedAt: '2026-12-05T08:05:00.000Z',
      durationSeconds: 300,
      metrics: { series: {}, summary: {} },
      profile: { kind: 'none', reason: 'the origin run' },
      failure: null,
      logTail: { stdout: [], stderr: [] },
      truncated: { stdout: false, stderr: false },
      artifacts: [],
      sandbox: { user: 'sherpa-run', metadataBlocked: true, envKeys: ['PATH'] },
    };
    await r.blobs.put('results/local/r_origin/result.json', JSON.stringify(originResult));
    const paper = {
      id: 'p_1',
      runs: [{ runId: 'r_origin', resultKey: 'results/local/r_origin/result.json' }],
    };
    const deps: ParentProfileDeps = {
      papers: { get: async () => paper as unknown as Paper },
      blobs: r.blobs,
      storageScope: (instanceId) => r.compute.storageScope(instanceId),
      logger: createLogger({ level: 'silent' }),
    };
    expect(await parentProfile(deps, search)).toEqual({ kind: 'none', reason: 'the origin run' });

    const done = await driveSearch(r.deps(), search.id);
    const kept = done?.variants.find((v) => v.codeHash === done.parentHash);
    expect(kept?.id).toBe('s_abc.g1.v1');
    // The kept child's full run wrote the simulated runner's profile.
    expect(await parentProfile(deps, done!)).toEqual({ kind: 'none', reason: 'simulated' });
  });
});
