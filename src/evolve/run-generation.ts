import type { EvolveSearch, Variant } from '../domain/evolve-search.js';
import type { Sleep } from '../ports/sleep.js';
import type { SearchStore } from '../ports/search-store.js';
import type { InstancePool } from '../runs/instance-pool.js';
import { runVariantStage, type VariantRunDeps, type VariantRunResult } from './run-variant.js';
import type { VariantStage } from './variant-job.js';

export interface GenerationDeps extends VariantRunDeps {
  searches: SearchStore;
  pool: InstancePool;
  sleep: Sleep;
  /** Wait between tries when every instance is held. */
  busyRetryMs: number;
}

/** Runs this worker follows, by `<variant id>:<stage>`: shared by the steps of one `driveSearch`. */
export type InFlight = Map<string, Promise<VariantRunResult>>;

interface Task {
  variant: Variant;
  stage: VariantStage;
  /** Already sent by an earlier worker: followed, never sent again (`runVariantStage`). */
  sent: boolean;
}

const key = (task: { variant: Variant; stage: VariantStage }) => `${task.variant.id}:${task.stage}`;
const isOut = (v: Variant) => v.status === 'failed' || v.status === 'dropped';

/** A legacy smoke run (a search stored before the smoke gate) not yet finished: it was sent, or may have been. */
const smokePending = (v: Variant) => v.role === 'child' && v.smoke !== undefined && !v.smoke.outcome;

/**
 * What the current generation still needs: one run per variant, the parent's first (its re-run is the noise
 * every child is judged against), then the children's, each carrying the smoke gate (variant-job.ts). A
 * legacy smoke run is followed to its end before its variant's full run; none is ever started any more.
 */
function tasksOf(search: EvolveSearch): { fulls: Task[]; smokes: Task[] } {
  const current = search.variants.filter((v) => v.generation === search.generation && !isOut(v));
  const fulls = current
    .filter((v) => !v.run?.outcome && !smokePending(v))
    .sort((a, b) => Number(b.role === 'parent') - Number(a.role === 'parent'))
    .map((variant) => ({ variant, stage: 'run' as const, sent: Boolean(variant.run?.dispatchKey) }));
  const smokes = current
    .filter(smokePending)
    .map((variant) => ({ variant, stage: 'smoke' as const, sent: true }));
  return { fulls, smokes };
}

/**
 * One generation's runs (issue 13, item 5): every variant runs once, as many at a time as the pool has room.
 * A child's smoke stage is the first seconds of that run (the runner's smoke gate), so a broken variant frees
 * its instance within seconds for the next variant and a good one needs no second start, no second fetch and
 * no second sandbox: the generation costs about its budget.
 *
 * Exactly once as before: every run goes through `runVariantStage` (the dispatch key recorded before the
 * send, a run already sent is followed, never sent again). After Stop nothing new is started; what is in
 * flight is followed to its end. A search stored before the gate may have smoke runs in flight: they are
 * followed like any sent run, and `onSmokesDone` is called once none is pending (its move to `running`).
 */
export async function runGeneration(
  deps: GenerationDeps,
  searchId: string,
  inFlight: InFlight,
  onSmokesDone: () => Promise<void>,
): Promise<void> {
  let smokesDone = false;
  for (;;) {
    const search = await deps.searches.get(searchId);
    if (!search) break;
    const { fulls, smokes } = tasksOf(search);
    if (smokes.length === 0 && !smokesDone) {
      smokesDone = true;
      await onSmokesDone();
    }
    const stopped = Boolean(search.stop);
    // Runs already sent first: they are followed (and billed) whatever happens; then new ones in order.
    const ready = [...smokes, ...fulls]
      .filter((task) => !inFlight.has(key(task)) && (task.sent || !stopped))
      .sort((a, b) => Number(b.sent) - Number(a.sent));
    for (const task of ready) {
      const started = await start(deps, searchId, task);
      if (started === 'busy') {
        if (task.sent) continue; // its old lease has not lapsed yet; others may still start
        break; // the pool is full: a task of lower priority would not find room either
      }
      inFlight.set(key(task), started.run);
    }
    if (inFlight.size === 0 && ready.length === 0) break;
    await waitForChange(deps, inFlight);
  }
}

/** Start a task: its run (boxed: an async function would await a returned promise) or 'busy'. */
async function start(
  deps: GenerationDeps,
  searchId: string,
  task: Task,
): Promise<{ run: Promise<VariantRunResult> } | 'busy'> {
  let leased!: () => void;
  const onLeased = new Promise<'leased'>((resolve) => (leased = () => resolve('leased')));
  const run = runVariantStage(deps, searchId, task.variant.id, task.stage, () => leased());
  const first = await Promise.race([onLeased, run]);
  if (first === 'busy') return 'busy';
  return { run };
}

/** Until a run in flight ends (or, with none in flight, the busy retry): then the plan is made again. */
async function waitForChange(
  deps: GenerationDeps,
  inFlight: Map<string, Promise<VariantRunResult>>,
): Promise<void> {
  const wake = new AbortController();
  const ended = [...inFlight.entries()].map(([k, run]) =>
    run.then(
      () => k,
      () => k,
    ),
  );
  const timer = deps.sleep(deps.busyRetryMs, wake.signal).then(() => undefined);
  const first = await Promise.race([...ended, timer]);
  wake.abort();
  if (first === undefined) return;
  // A run that threw is rethrown here: the driver's caller sees the error, as with the stage runner before.
  const run = inFlight.get(first);
  inFlight.delete(first);
  await run;
}
