import type { EvolveSearch, Variant } from '../domain/evolve-search.js';
import type { PaperStore } from '../ports/paper-store.js';
import type { SearchStore } from '../ports/search-store.js';

/**
 * Extra parent samples in a warm instance's idle slot (issue 13, items 4 and 5). A generation of R runs on a
 * pool of room P leaves P − (R mod P) instances idle for its whole last wave: warm (the search keeps them for
 * the next generation) with nothing of the generation left to start. Such a slot may take one more run of the
 * parent, beside its first re-run (`.p0`): the same code, seed, budget and evaluation as every run of the
 * generation (variant-job.ts), so the noise rule gets another run-to-run measurement for the idle time.
 *
 * The rule, all of which must hold when the sample would start (`fillOpenings`, and the scheduler's checks):
 * - the search is running its generation and not stopping, and every other run of the generation has been
 *   sent (nothing of the generation waits for the instance);
 * - some run of the generation is in flight and the latest of them started at most `FILL_SLACK_SECONDS`
 *   ago: every run has the same budget, so the sample ends with the generation's last wave, not after it;
 * - at most P − (R mod P) samples a generation (the last wave's idle slots), counting those already recorded;
 * - no other work waits for the pool (a queued paper run, another live search: the pool is not ours to fill);
 * - a warm instance is free: the sample is placed `warmOnly`, never on an instance that would boot or launch;
 * - the cap: the search's spend so far, plus every run in flight and this one at the plan's per-run price,
 *   plus the plan's estimate of every generation still to come, stays within --max-usd and the daily budget.
 *   The sample is not in the plan's estimate, so it may only use money no planned generation needs
 *   (drive-search.ts, `fillWithinCap`).
 *
 * Exactly once like every variant: the sample is recorded as a `role: 'parent'` variant (`.p1`, `.p2`, …;
 * an index is never reused) with a compare-and-set before its run starts, and its run goes through
 * `runVariantStage` (dispatch key before the send). A worker that finds a recorded sample not yet sent starts
 * it only if the rule still holds, and otherwise drops it with the reason: it never runs late, never twice.
 */

/** How late a sample may start after the generation's latest run and still count as the same wave. */
export const FILL_SLACK_SECONDS = 60;

/** Why a recorded sample was not run: the slot was gone by the time a worker could start it. */
export const FILL_DROP_REASON = 'extra parent sample not run: the idle slot was gone';

/** An extra parent sample: the parent's runs of a generation beyond its first re-run (`.p0`). */
export function isExtraSample(variant: Pick<Variant, 'id' | 'role'>): boolean {
  const index = /\.p(\d+)$/.exec(variant.id)?.[1];
  return variant.role === 'parent' && index !== undefined && Number(index) > 0;
}

/** The last wave's idle slots of `runs` runs on a pool of `room`: 0 when the waves are full. */
export function idleSlots(runs: number, room: number): number {
  if (room <= 0 || runs <= 0) return 0;
  const rest = runs % room;
  return rest === 0 ? 0 : room - rest;
}

export type FillOpenings = { open: false; reason: string } | { open: true; left: number };

/**
 * The search-side part of the rule (the pool's other work, the warm instance and the cap are checked by the
 * scheduler): whether a sample may start now, and how many more may be recorded this generation.
 */
export function fillOpenings(search: EvolveSearch, now: Date, room: number): FillOpenings {
  if (search.state !== 'running' || search.stop) return { open: false, reason: 'not running' };
  const current = search.variants.filter((v) => v.generation === search.generation && v.status !== 'dropped');
  const planned = current.filter((v) => !isExtraSample(v));
  if (planned.some((v) => !v.run?.dispatchKey && v.status !== 'failed'))
    return { open: false, reason: 'runs of the generation wait to start' };
  const starts = planned
    .filter((v) => v.run?.dispatchKey && !v.run.outcome)
    .map((v) => new Date(v.run?.startedAt ?? 0).getTime());
  if (starts.length === 0) return { open: false, reason: 'no run of the generation in flight' };
  if (now.getTime() - Math.max(...starts) > FILL_SLACK_SECONDS * 1000)
    return { open: false, reason: 'it would outlast the generation' };
  const recorded = current.filter(isExtraSample).length;
  return { open: true, left: idleSlots(planned.length, room) - recorded };
}

/** Samples of the current generation recorded but not yet sent. */
export function unsentSamples(search: EvolveSearch): Variant[] {
  return search.variants.filter(
    (v) =>
      v.generation === search.generation &&
      isExtraSample(v) &&
      v.status === 'proposed' &&
      !v.run?.dispatchKey,
  );
}

/** Record the next sample of the current generation (compare-and-set); undefined when the search moved. */
export async function recordSample(
  searches: SearchStore,
  search: EvolveSearch,
): Promise<Variant | undefined> {
  const k = search.generation;
  const first = search.variants.find((v) => v.generation === k && v.role === 'parent' && !isExtraSample(v));
  if (!first?.codeHash) return undefined;
  const indices = search.variants
    .filter((v) => v.generation === k && v.role === 'parent')
    .map((v) => Number(/\.p(\d+)$/.exec(v.id)?.[1] ?? 0));
  const sample: Variant = {
    id: `${search.id}.g${k}.p${Math.max(0, ...indices) + 1}`,
    generation: k,
    role: 'parent',
    label: 'parent',
    strategy: 'the parent again (noise), in a warm instance’s idle slot',
    parentHash: first.parentHash,
    codeHash: first.codeHash,
    repaired: false,
    status: 'proposed',
    costUsd: 0,
  };
  const written = await searches.update(
    search.id,
    { variants: [...search.variants, sample] },
    { ifVersion: search.version },
  );
  return written ? sample : undefined;
}

/**
 * Whether other work shares the pool and waits for it: a paper run approved or queued for an instance, or
 * another live search (between or within its generations). A warm idle slot is then theirs, not a sample's.
 */
export async function otherWorkWaiting(
  deps: { papers: Pick<PaperStore, 'countByState'>; searches: Pick<SearchStore, 'listLive'> },
  searchId: string,
): Promise<boolean> {
  const counts = await deps.papers.countByState();
  if ((counts.run_approved ?? 0) > 0 || (counts.queued ?? 0) > 0) return true;
  return (await deps.searches.listLive()).some((other) => other.id !== searchId);
}
