import { afterEach, describe, expect, it } from 'vitest';
import { driveSearch } from '../../src/evolve/drive-search.js';
import { instanceIds, searchRig, type SearchRig } from './search-rig.js';

const MINUTE = 60_000;
const INSTANCES = instanceIds(4);

let rig: SearchRig | undefined;
afterEach(() => rig?.close());

/** Every command sent, with where and when (virtual minutes from the start). */
function recordSends(r: SearchRig) {
  const sends: { runId: string; instanceId: string; at: number }[] = [];
  const t0 = r.clock.now().getTime();
  const startRun = r.compute.startRun.bind(r.compute);
  r.compute.startRun = (instanceId, run) => {
    sends.push({
      runId: run.runId.replace(/^s_abc\.g1\./, ''),
      instanceId,
      at: (r.clock.now().getTime() - t0) / MINUTE,
    });
    return startRun(instanceId, run);
  };
  return sends;
}

describe('one generation on the pool', () => {
  it('runs each variant once, parent first; a broken child frees its instance at its crash or its gate', async () => {
    rig = searchRig({
      instanceIds: INSTANCES,
      summary: () => ({ val_loss: 1.9 }),
      // v0 does not compile (it ends by itself in seconds); v1 steps but never prints val_loss.
      fails: (id) => id.endsWith('.g1.v0.run'),
      runMs: (id) => (id.endsWith('.g1.v0.run') ? 10_000 : 5 * MINUTE),
      objectiveAfterMs: (id) => (id.endsWith('.g1.v1.run') ? undefined : 20_000),
    });
    const sends = recordSends(rig);
    const search = await rig.seed({ variants: 10, generations: 1 });
    const done = await driveSearch(rig.deps({ busyRetryMs: 5_000 }), search.id);
    expect(done?.state).toBe('finished');
    const at = (runId: string) => sends.find((send) => send.runId === runId);
    // One run per variant, each sent once, the parent's first; no separate smoke run. 11 runs on 4 instances
    // leave one warm instance idle in the last wave: it takes one extra run of the parent (p1,
    // parent-sample-fill.ts), which ends with that wave.
    expect(sends.map((send) => send.runId).sort()).toEqual(
      ['p0.run', 'p1.run', ...Array.from({ length: 10 }, (_, i) => `v${i}.run`)].sort(),
    );
    expect(sends[0]).toMatchObject({ runId: 'p0.run', at: 0 });
    const variant = (i: number) => done?.variants.find((v) => v.id === `s_abc.g1.v${i}`);
    expect(variant(0)).toMatchObject({ status: 'failed', failureClass: 'compiler_error' });
    expect(variant(1)).toMatchObject({
      status: 'failed',
      failureClass: 'no_objective',
      gate: { passed: false },
    });
    // The crash freed its instance within the first minute for the next child; the silent one at its
    // 90-second gate (30 s of steps + the start-up allowance), not at its 5-minute budget.
    expect(at('v3.run')?.at).toBeLessThan(1);
    expect(at('v3.run')?.instanceId).toBe(at('v0.run')?.instanceId);
    expect(at('v4.run')?.at).toBeLessThan(2);
    expect(at('v4.run')?.instanceId).toBe(at('v1.run')?.instanceId);
    // 10 full runs of 5 minutes, a crash and a gate stop on 4 instances: done within three waves.
    const lastEnd = Math.max(...sends.map((s) => s.at + 5));
    expect(lastEnd).toBeLessThanOrEqual(15.5);
    // The parent's two runs and 8 children.
    expect(done?.variants.filter((v) => v.status === 'succeeded')).toHaveLength(10);
  });
});
