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

/** What the current generation still needs, full runs first (the parent's, then children's that passed). */
function tasksOf(search: EvolveSearch): { fulls: Task[]; smokes: Task[] } {
  const current = search.variants.filter((v) => v.generation === search.generation && !isOut(v));
  const fulls = current
    .filter((v) => !v.run?.outcome && (v.role === 'parent' || v.smoke?.outcome === 'succeeded'))
    .sort((a, b) => Number(b.role === 'parent') - Number(a.role === 'parent'))
    .map((variant) => ({ variant, stage: 'run' as const, sent: Boolean(variant.run?.dispatchKey) }));
  const smokes = current
    .filter((v) => v.role === 'child' && !v.smoke?.outcome)
    .map((variant) => ({ variant, stage: 'smoke' as const, sent: Boolean(variant.smoke?.dispatchKey) }));
  return { fulls, smokes };
}

/**
 * One generation's runs, pipelined (issue 13, item 5): the parent's full run starts at once (it needs no smoke
 * run), and each child's full run starts as soon as its own smoke run passed, on the same instance when free,
 * instead of every smoke run waiting for the slowest and every full run waiting for the last smoke. While
 * smoke runs remain, full runs keep one instance of the pool's room free for them, so the smoke runs stay
 * ahead of the instances that will want a next full run. The generation then costs about its budget: its
 * instances are not left idle behind a stage barrier.
 *
 * Exactly once as before: every run goes through `runVariantStage` (the dispatch key recorded before the
 * send, a run already sent is followed, never sent again). After Stop nothing new is started; what is in
 * flight is followed to its end. `onSmokesDone` is called once no smoke run is pending (the move to `running`).
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
    const room = deps.pool.room({ backend: search.settings.target });
    // While smokes are pending, full runs leave one instance for them (none to leave with a room of one).
    const fullCap = smokes.length > 0 ? Math.max(room - 1, 0) : room;
    let fullsRunning = [...inFlight.keys()].filter((k) => k.endsWith(':run')).length;
    const ready = [...fulls, ...smokes].filter((task) => !inFlight.has(key(task)) && (task.sent || !stopped));
    for (const task of ready) {
      if (task.stage === 'run' && !task.sent && fullsRunning >= fullCap && smokes.length > 0) continue;
      const started = await start(deps, searchId, task);
      if (started === 'busy') {
        if (task.sent) continue; // its old lease has not lapsed yet; others may still start
        break; // the pool is full: a task of lower priority would not find room either
      }
      inFlight.set(key(task), started.run);
      if (task.stage === 'run') fullsRunning += 1;
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
