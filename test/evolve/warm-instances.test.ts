import { afterEach, describe, expect, it } from 'vitest';
import { SEARCH_WARM_MINUTES, startIdleStop, stopIdleInstances } from '../../jobs/idle-stop.js';
import { driveSearch } from '../../src/evolve/drive-search.js';
import { liveSearchInstances } from '../../src/evolve/search-instances.js';
import { shortcutPool } from '../../src/config/compute-pools.js';
import { markReleased } from '../../src/runs/instance-billing.js';
import { InstancePool } from '../../src/runs/instance-pool.js';
import { runWorkPending } from '../../src/runs/pending-run-work.js';
import { searchFixture } from './search-fixture.js';
import { searchRig, type SearchRig } from './search-rig.js';

const MINUTE = 60_000;
// No paper is waiting for a run: only the search can keep the instances up.
const NO_PAPERS = { countByState: async () => ({}) };

let rig: SearchRig | undefined;
afterEach(() => rig?.close());

/** A 3 × 2 search with a 5-minute proposal call, beside idle stop with a 4-minute window, checked every minute. */
async function searchBesideIdleStop(keepSearchInstances: boolean) {
  rig = searchRig({ initialState: 'stopped', summary: () => ({ val_loss: 1.9 }) });
  rig.llm.latencyMs = 5 * MINUTE;
  const search = await rig.seed();
  const base = rig.deps();
  // A pool whose own idle window (4 minutes) is shorter than the gap between two generations.
  const pool = new InstancePool({
    ...base,
    pools: [{ ...shortcutPool([...rig.compute.instanceIds], 1.2, 15), idleMinutes: 4 }],
  });
  const deps = { ...base, pool };
  const notices: string[] = [];
  const idleStop = startIdleStop(
    {
      ...deps,
      pool: deps.pool,
      idleStopMinutes: 15,
      notify: async (text) => {
        notices.push(text);
      },
      runWorkPending: () => runWorkPending(NO_PAPERS, deps.searches),
      ...(keepSearchInstances ? { searchInstances: () => liveSearchInstances(deps.searches) } : {}),
    },
    MINUTE,
  );
  const done = await driveSearch(deps, search.id);
  await idleStop.stop();
  return { done, notices, stops: rig.compute.stops };
}

describe('instances between a search’s generations', () => {
  it('stay up through the proposal gap while the search lives, so generation 2 neither boots nor waits', async () => {
    const kept = await searchBesideIdleStop(true);
    expect(kept.done?.state).toBe('finished');
    expect(kept.stops).toEqual([]);
    expect(kept.notices).toEqual([]);
  });

  it('without the search’s hold, the same gap stops them (what this guards against)', async () => {
    const cut = await searchBesideIdleStop(false);
    expect(cut.done?.state).toBe('finished');
    expect(cut.stops.length).toBeGreaterThan(0);
  });

  it('are stopped after SEARCH_WARM_MINUTES idle all the same (a search whose worker died)', async () => {
    rig = searchRig({ initialState: 'running' });
    const deps = rig.deps();
    const [id] = rig.compute.instanceIds;
    const lease = await deps.pool.tryAcquire('s_abc.g1.v0.run');
    await markReleased({ ...deps, hourlyPriceUsd: 1.2 }, id as string);
    await lease?.release();
    const notices: string[] = [];
    const idle = {
      ...deps,
      idleStopMinutes: 4,
      notify: async (text: string) => {
        notices.push(text);
      },
      runWorkPending: async () => false,
      searchInstances: async () => new Set([id as string]),
    };
    rig.clock.advance((SEARCH_WARM_MINUTES - 1) * MINUTE);
    const before = await stopIdleInstances(idle);
    expect(before.find((o) => o.instanceId === id)?.action).toBe('recently_used');
    rig.clock.advance(MINUTE);
    const after = await stopIdleInstances(idle);
    expect(after.find((o) => o.instanceId === id)?.action).toBe('stopped');
    expect(notices.join('\n')).toContain('although a live search ran on it');
  });

  it('count as run work pending while any search lives, so the quiet rule does not cut a search short', async () => {
    expect(await runWorkPending(NO_PAPERS, { listLive: async () => [] })).toBe(false);
    expect(await runWorkPending(NO_PAPERS, { listLive: async () => [searchFixture()] })).toBe(true);
  });
});
