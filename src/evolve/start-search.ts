import type { EvolveSearch } from '../domain/evolve-search.js';
import { evolveAlreadyLive } from '../messages/evolve-replies.js';
import { estimateFor, planSearch, type EvolveRequest, type PlanDeps } from './plan-search.js';
import { postedPlan, postPlan } from './plan-message.js';
import type { PostOnceDeps } from './post-once.js';

export type StartOutcome =
  | { kind: 'planned'; search: EvolveSearch; fits: boolean; planTs?: string }
  | { kind: 'refused'; message: string };

/**
 * The Evolve button and `/paper evolve` (issue 13, item 1): plan the search and post the plan in the paper's
 * thread. A live search already there is named instead, except a plan not posted yet (a crash between storing
 * and posting it, or a double click still posting it): this finishes the post, once (`postOnce`).
 */
export async function startSearch(
  deps: PlanDeps & PostOnceDeps,
  request: EvolveRequest,
): Promise<StartOutcome> {
  const outcome = await planSearch(deps, request);
  if (outcome.kind === 'refused') return outcome;
  if (outcome.kind === 'live') {
    const recorded = await postedPlan(deps, outcome.search.id);
    if (outcome.search.state === 'planned' && !recorded?.ts) {
      const figures = recorded?.figures ?? (await estimateFor(deps, outcome.search));
      const plan = await postPlan(deps, outcome.search, figures);
      // Finished an interrupted post; otherwise another click is posting it (or has) and this one is the repeat.
      if (plan.posted)
        return {
          kind: 'planned',
          search: outcome.search,
          fits: true,
          ...(plan.ts ? { planTs: plan.ts } : {}),
        };
    }
    return { kind: 'refused', message: evolveAlreadyLive(outcome.search) };
  }
  const plan = await postPlan(deps, outcome.search, outcome.estimate);
  return {
    kind: 'planned',
    search: outcome.search,
    fits: outcome.fits,
    ...(plan.ts ? { planTs: plan.ts } : {}),
  };
}
