import { afterEach, describe, expect, it } from 'vitest';
import { driveSearch } from '../../src/evolve/drive-search.js';
import { searchRig, type SearchRig } from './search-rig.js';

const MINUTE = 60_000;
const INSTANCES = [
  'i-0000000000000000a',
  'i-0000000000000000b',
  'i-0000000000000000c',
  'i-0000000000000000d',
];

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
  it('pipelines smoke and full runs: parent first, each child right after its own smoke, no stage barrier', async () => {
    rig = searchRig({
      instanceIds: INSTANCES,
      summary: () => ({ val_loss: 1.9 }),
      fails: (id) => id.endsWith('.g1.v9.smoke'),
    });
    const sends = recordSends(rig);
    const search = await rig.seed({ variants: 10, generations: 1 });
    const done = await driveSearch(rig.deps({ busyRetryMs: 5_000 }), search.id);
    expect(done?.state).toBe('finished');
    const at = (runId: string) => sends.find((send) => send.runId === runId);
    // The parent needs no smoke run: it starts at once, beside the first smoke runs.
    expect(sends[0]).toMatchObject({ runId: 'p0.run', at: 0 });
    for (let i = 0; i < 9; i += 1) {
      const smoke = at(`v${i}.smoke`);
      const full = at(`v${i}.run`);
      // 30-second smoke runs: the full run never comes before its smoke run ended.
      expect(full!.at).toBeGreaterThanOrEqual(smoke!.at + 0.5);
    }
    // A child whose smoke run failed never gets its full run; the others do not wait for it.
    expect(at('v9.run')).toBeUndefined();
    // The first full runs of children go back to the instance their smoke ran on (its compile cache).
    for (const i of [0, 1]) expect(at(`v${i}.run`)?.instanceId).toBe(at(`v${i}.smoke`)?.instanceId);
    // Full runs began while smoke runs were still going (no barrier): v0's full before v8's smoke.
    expect(at('v0.run')!.at).toBeLessThan(at('v8.smoke')!.at);
    // 10 full runs of 5 minutes + 10 smoke runs of 30 s on 4 instances: 15 minutes of work each, ended by
    // 15.5 (the stage barrier took 16.5: 1.5 of smoke waves, then three waves of full runs).
    const lastEnd = Math.max(...sends.filter((s) => s.runId.endsWith('.run')).map((s) => s.at + 5));
    expect(lastEnd).toBeLessThanOrEqual(15.5);
  });
});
