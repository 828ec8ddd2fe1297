import { afterEach, describe, expect, it } from 'vitest';
import { driveSearch, type DriveDeps } from '../../src/evolve/drive-search.js';
import {
  FILL_DROP_REASON,
  fillOpenings,
  idleSlots,
  isExtraSample,
  otherWorkWaiting,
} from '../../src/evolve/parent-sample-fill.js';
import type { EvolveSearch, Variant } from '../../src/domain/evolve-search.js';
import type { SearchStore } from '../../src/ports/search-store.js';
import { ProcessSwitch } from '../support/process-switch.js';
import { dyingBot, instanceIds, searchRig, type SearchRig } from './search-rig.js';

/**
 * A warm instance left idle by a generation's last wave takes an extra run of the parent (issue 13, items 4
 * and 5; src/evolve/parent-sample-fill.ts): only when nothing of the generation waits, nobody else waits for
 * the pool, the cap allows it and it ends with the generation; exactly once across a crash.
 */

const MINUTE = 60_000;
const INSTANCES = instanceIds(4);
let rig: SearchRig | undefined;
afterEach(() => rig?.close());

const summary = () => ({ val_loss: 1.9 });
const short = (runId: string) => runId.replace(/^s_abc\.g\d\./, '');

/** 10 children + the parent's re-run = 11 runs on 4 warm instances: one instance idle in the last wave. */
async function driveOne(deps: (r: SearchRig) => DriveDeps, settings: Partial<EvolveSearch['settings']> = {}) {
  rig = searchRig({ instanceIds: INSTANCES, summary });
  const search = await rig.seed({ variants: 10, generations: 1, ...settings });
  const done = await driveSearch(deps(rig), search.id);
  const billed = INSTANCES.reduce((sum, id) => sum + (rig as SearchRig).compute.billedMs(id), 0);
  return { done, sent: rig.compute.sent.map((run) => short(run.runId)), billed, r: rig };
}

const extras = (search: EvolveSearch | undefined) => search?.variants.filter(isExtraSample) ?? [];

describe('the rule', () => {
  it('counts the last wave’s idle slots', () => {
    expect(idleSlots(11, 4)).toBe(1);
    expect(idleSlots(12, 4)).toBe(0);
    expect(idleSlots(5, 4)).toBe(3);
    expect(idleSlots(4, 2)).toBe(0);
    expect(idleSlots(3, 0)).toBe(0);
  });

  const run = (id: string, startedAt?: string, role: Variant['role'] = 'child'): Variant => ({
    id,
    generation: 1,
    role,
    label: role === 'parent' ? 'parent' : 'moderate',
    strategy: 's',
    parentHash: 'h',
    codeHash: 'h',
    repaired: false,
    status: startedAt ? 'running' : 'proposed',
    costUsd: 0,
    ...(startedAt ? { run: { runId: `${id}.run`, dispatchKey: `${id}.run.d1`, startedAt } } : {}),
  });
  const searchWith = (variants: Variant[], patch: Partial<EvolveSearch> = {}) =>
    ({ id: 's', state: 'running', generation: 1, variants, ...patch }) as EvolveSearch;
  const now = new Date('2026-12-05T10:10:30Z');
  const t = (s: string) => `2026-12-05T10:${s}Z`;

  it('opens only with nothing waiting, a run in flight that started within the slack, and not stopping', () => {
    const wave = [
      run('x.g1.p0', t('05:00'), 'parent'),
      run('x.g1.v0', t('10:00')),
      run('x.g1.v1', t('10:05')),
    ];
    expect(fillOpenings(searchWith(wave), now, 4)).toEqual({ open: true, left: 1 });
    // A child not yet sent waits for the instance: it comes first.
    expect(fillOpenings(searchWith([...wave, run('x.g1.v2')]), now, 4).open).toBe(false);
    // The latest run started two minutes ago: a sample now would outlast the generation.
    expect(fillOpenings(searchWith(wave), new Date('2026-12-05T10:12:06Z'), 4)).toMatchObject({
      open: false,
      reason: 'it would outlast the generation',
    });
    expect(
      fillOpenings(searchWith(wave, { stop: { mode: 'after_in_flight', by: 'U1', at: t('10:00') } }), now, 4)
        .open,
    ).toBe(false);
    expect(fillOpenings(searchWith(wave, { state: 'judged' }), now, 4).open).toBe(false);
    // A sample already recorded takes the one idle slot of 3 runs on 4.
    expect(fillOpenings(searchWith([...wave, run('x.g1.p1', t('10:06'), 'parent')]), now, 4)).toEqual({
      open: true,
      left: 0,
    });
  });

  it('sees other work waiting for the pool: a queued paper run or another live search', async () => {
    const papers = (counts: Record<string, number>) => ({ countByState: async () => counts });
    const searches = (ids: string[]) => ({ listLive: async () => ids.map((id) => ({ id }) as EvolveSearch) });
    expect(await otherWorkWaiting({ papers: papers({ running: 1 }), searches: searches(['s']) }, 's')).toBe(
      false,
    );
    expect(await otherWorkWaiting({ papers: papers({ queued: 1 }), searches: searches(['s']) }, 's')).toBe(
      true,
    );
    expect(await otherWorkWaiting({ papers: papers({ run_approved: 1 }), searches: searches([]) }, 's')).toBe(
      true,
    );
    expect(await otherWorkWaiting({ papers: papers({}), searches: searches(['s', 't']) }, 's')).toBe(true);
  });
});

describe('the scheduler fills a warm idle slot', () => {
  it('with one parent sample that ends with the last wave, for the same billed instance time', async () => {
    const without = await driveOne((r) => {
      const deps = r.deps({ busyRetryMs: 5_000 });
      delete deps.otherWorkWaiting;
      return deps;
    });
    rig?.close();
    const withFill = await driveOne((r) => r.deps({ busyRetryMs: 5_000 }));
    expect(without.sent.sort()).toEqual(
      ['p0.run', ...Array.from({ length: 10 }, (_, i) => `v${i}.run`)].sort(),
    );
    expect(withFill.sent.sort()).toEqual([...without.sent, 'p1.run'].sort());
    const [sample] = extras(withFill.done);
    expect(sample).toMatchObject({ role: 'parent', status: 'succeeded', metric: 1.9 });
    // Same code as the parent's re-run (same seed and budget: the same job, variant-job.ts).
    const p0 = withFill.done?.variants.find((v) => v.id === 's_abc.g1.p0');
    expect(sample?.codeHash).toBe(p0?.codeHash);
    // It ends with the last wave: the search takes no longer, and the instances bill no more.
    const lastEnd = (s: EvolveSearch | undefined, skip = '') =>
      Math.max(
        ...(s?.variants ?? [])
          .filter((v) => v.run?.finishedAt && v.id !== skip)
          .map((v) => new Date(v.run?.finishedAt ?? 0).getTime()),
      );
    expect(new Date(sample?.run?.finishedAt ?? 0).getTime()).toBeLessThanOrEqual(
      lastEnd(withFill.done, sample?.id) + MINUTE,
    );
    expect(withFill.billed).toBe(without.billed);
    expect(withFill.done?.state).toBe('finished');
  });

  it('not when other work waits for the pool', async () => {
    const { done, sent } = await driveOne((r) =>
      r.deps({ busyRetryMs: 5_000, otherWorkWaiting: async () => true }),
    );
    expect(sent).not.toContain('p1.run');
    expect(extras(done)).toHaveLength(0);
  });

  it('not when the waves are full (4 runs on 2 instances)', async () => {
    rig = searchRig({ summary });
    const search = await rig.seed({ variants: 3, generations: 1 });
    const done = await driveSearch(rig.deps(), search.id);
    expect(done?.state).toBe('finished');
    expect(extras(done)).toHaveLength(0);
  });

  it('not when the sample would take money a planned generation needs, though every generation still runs', async () => {
    // Two generations of 11 runs at $0.12 (the plan's per-run price) and ≈$0.1 of proposal each: room for both,
    // not for an extra run in the first on top of the second's estimate. The last generation has no reserve.
    const capped = await driveOne((r) => r.deps({ busyRetryMs: 5_000 }), { generations: 2, maxUsd: 2.7 });
    expect(capped.done?.state).toBe('finished');
    expect(extras(capped.done).filter((v) => v.generation === 1)).toHaveLength(0);
    rig?.close();
    const roomy = await driveOne((r) => r.deps({ busyRetryMs: 5_000 }), { generations: 2, maxUsd: 20 });
    expect(extras(roomy.done).map((v) => v.generation)).toEqual([1, 2]);
  });
});

describe('a parent sample across a crash', () => {
  it('is sent once: a bot that dies with it in flight leaves it to the next, which follows it', async () => {
    rig = searchRig({ instanceIds: INSTANCES, summary });
    const r = rig;
    const search = await r.seed({ variants: 10, generations: 1 });
    const process = new ProcessSwitch();
    void driveSearch(dyingBot(r, process, { deps: r.deps({ busyRetryMs: 5_000 }) }), search.id);
    const sampleSent = () => r.compute.sent.some((run) => run.runId.endsWith('.p1.run'));
    for (let i = 0; i < 8000 && !sampleSent(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(sampleSent()).toBe(true);
    process.crash();

    const done = await driveSearch(r.deps({ busyRetryMs: 5_000 }), search.id);
    expect(done?.state).toBe('finished');
    const ids = r.compute.sent.map((run) => short(run.runId));
    expect(ids.filter((id) => id === 'p1.run')).toHaveLength(1);
    expect(new Set(ids).size).toBe(ids.length);
    expect(extras(done)).toHaveLength(1);
    expect(extras(done)[0]).toMatchObject({ status: 'succeeded' });
  });

  it('recorded but not sent when its slot is gone: dropped with the reason, never run late', async () => {
    rig = searchRig({ instanceIds: INSTANCES, summary });
    const r = rig;
    const search = await r.seed({ variants: 10, generations: 1 });
    // The bot dies right after recording the sample, before its run's dispatch key.
    const process = new ProcessSwitch();
    const first = r.deps({ busyRetryMs: 5_000 });
    const searches = first.searches;
    const update: SearchStore['update'] = async (id, patch, options) => {
      const written = await searches.update(id, patch, options);
      if (patch.variants?.some((v) => isExtraSample(v) && !v.run)) process.crash();
      return written;
    };
    const spied = new Proxy(searches, {
      get: (target, property, receiver) =>
        property === 'update' ? update : (Reflect.get(target, property, receiver) as unknown),
    });
    void driveSearch(dyingBot(r, process, { deps: first, searches: spied }), search.id);
    for (let i = 0; i < 8000 && process.isUp; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(process.isUp).toBe(false);
    const recorded = await searches.get(search.id);
    expect(extras(recorded)).toMatchObject([{ status: 'proposed' }]);

    // The next bot comes after the dead one's leases lapsed (3 minutes): the last wave is long under way.
    await r.clock.sleep(4 * MINUTE);
    const done = await driveSearch(r.deps({ busyRetryMs: 5_000 }), search.id);
    expect(done?.state).toBe('finished');
    expect(r.compute.sent.map((run) => short(run.runId))).not.toContain('p1.run');
    expect(extras(done)).toMatchObject([{ status: 'dropped', dropReason: FILL_DROP_REASON }]);
  });
});
