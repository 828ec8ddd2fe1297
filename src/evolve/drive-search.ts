import type { Logger } from '../logging/logger.js';
import type { Clock } from '../ports/clock.js';
import type { CostLedger } from '../ports/cost-ledger.js';
import type { SearchStore } from '../ports/search-store.js';
import type { Sleep } from '../ports/sleep.js';
import { startOfLocalDay } from '../runs/local-day.js';
import {
  capCheck,
  estimateGeneration,
  estimateProposalTokens,
  searchSpend,
  type CostRates,
} from './cost-estimate.js';
import { parentRunOf, proposeGeneration, type GenerationStepDeps } from './generation-step.js';
import { finalVerdict, judgeGeneration } from '../domain/evolve-noise-rule.js';
import { runGeneration, type InFlight } from './run-generation.js';
import type { VariantRunDeps } from './run-variant.js';
import type { EvolveSearch, Variant } from '../domain/evolve-search.js';
import { isSearchOver } from '../domain/evolve-search-state.js';
import type { VariantStage } from './variant-job.js';

export interface DriveDeps extends VariantRunDeps, GenerationStepDeps {
  searches: SearchStore;
  ledger: CostLedger;
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  rates: CostRates;
  budget: { dailyUsd: number; timezone: string };
  /** Wait between tries when every instance is held. */
  busyRetryMs: number;
  /** Told after every step (the leaderboard message, the plot): never decides anything. */
  onChange?: (search: EvolveSearch) => Promise<void>;
}

/**
 * Drive a confirmed search to its end, one compare-and-set step at a time (issue 13, items 5 and 7). Every
 * step reads the search, does its effect keyed by what it read, and writes the move; a worker that dies
 * anywhere leaves a record from which the next one (`driveSearch` again on the same id) resumes at the same
 * generation and variant, with no variant run twice and no proposal call made twice.
 */
export async function driveSearch(deps: DriveDeps, searchId: string): Promise<EvolveSearch | undefined> {
  // Runs this worker follows, across the steps of one generation.
  const inFlight: InFlight = new Map();
  for (;;) {
    const search = await deps.searches.get(searchId);
    if (!search || isSearchOver(search.state) || search.state === 'planned') {
      await Promise.allSettled(inFlight.values());
      return search;
    }
    const next = await step(deps, search, inFlight);
    await deps
      .onChange?.(next)
      .catch((error: unknown) =>
        deps.logger.warn({ err: error, searchId }, 'could not show the search’s progress'),
      );
  }
}

async function step(deps: DriveDeps, search: EvolveSearch, inFlight: InFlight): Promise<EvolveSearch> {
  // In flight: a run recorded as sent, or one this worker has begun to send (its record may not show it yet).
  if (search.stop && (search.stop.mode === 'now' || (!hasInFlight(search) && inFlight.size === 0)))
    return moveTo(deps, search, 'stopped', `stopped by <@${search.stop.by}>`);
  switch (search.state) {
    case 'confirmed':
    case 'judged':
      return startNextGeneration(deps, search);
    case 'proposing': {
      // The parent's run is not started during the call: on local compute the runner dies with a killed bot,
      // and a run started under its "already started" marker could then only be waited out (evolve-crash e2e).
      if (search.stop) {
        // Stopped before the call: no call; the parent's run already sent is followed to its end.
        await runGeneration(deps, search.id, inFlight, async () => undefined);
        return (await deps.searches.get(search.id)) ?? search;
      }
      return proposeGeneration(deps, search);
    }
    case 'smoke':
    case 'running': {
      // One run per variant, the smoke stage gated inside it; `smoke` is a search stored before the gate,
      // whose sent smoke runs are followed first: it moves to `running` once none is pending.
      await runGeneration(deps, search.id, inFlight, async () => {
        if ((await deps.searches.get(search.id))?.state === 'smoke')
          await finishStage(deps, search.id, 'smoke');
      });
      const now = await deps.searches.get(search.id);
      return finishStage(deps, search.id, now?.state === 'smoke' ? 'smoke' : 'run');
    }
    default:
      return search;
  }
}

async function moveTo(
  deps: DriveDeps,
  search: EvolveSearch,
  to: 'stopped' | 'capped' | 'finished',
  endReason: string,
): Promise<EvolveSearch> {
  const moved = await deps.searches.move(search.id, {
    from: search.state,
    to,
    ifVersion: search.version,
    patch: { endReason },
  });
  deps.logger.info({ paperId: search.paperId, searchId: search.id, to, endReason }, 'search ended');
  return moved.ok ? moved.search : ((await deps.searches.get(search.id)) ?? search);
}

const hasInFlight = (search: EvolveSearch) =>
  search.variants.some(
    (v) => (v.smoke?.dispatchKey && !v.smoke.outcome) || (v.run?.dispatchKey && !v.run.outcome),
  );

async function startNextGeneration(deps: DriveDeps, search: EvolveSearch): Promise<EvolveSearch> {
  if (search.state === 'judged' && search.generation >= search.settings.generations) {
    const verdict = finalVerdict(search);
    return moveTo(
      deps,
      search,
      'finished',
      `all ${search.settings.generations} generations ran (${verdict.kind})`,
    );
  }
  const k = search.generation + 1;
  const parentCode = (await deps.blobs.getText(`code/${search.parentHash}.py`)) ?? '';
  const tokens = estimateProposalTokens({
    parentChars: parentCode.length,
    variants: search.settings.variants,
    leaderboardRows: search.variants.length,
  });
  const next = estimateGeneration(search.settings, deps.rates, tokens);
  const entries = await deps.ledger.entries({ paperId: search.paperId, since: search.createdAt });
  const spent = searchSpend(search, entries);
  const since = startOfLocalDay(deps.clock.now(), deps.budget.timezone).toISOString();
  const today = await deps.ledger.summarize({ since });
  const cap = capCheck({
    spentUsd: spent.usd,
    next,
    maxUsd: search.settings.maxUsd,
    spentTodayUsd: today.usd,
    dailyUsd: deps.budget.dailyUsd,
    generation: k,
  });
  if (!cap.ok) return moveTo(deps, search, 'capped', `stopped before ${cap.reason}`);
  // The parent's run of generation k is known before the proposal: recorded with the move.
  const parentRun = parentRunOf(search, k, search.parentHash);
  const moved = await deps.searches.move(search.id, {
    from: search.state,
    to: 'proposing',
    ifVersion: search.version,
    patch: { generation: k, variants: [...search.variants, parentRun] },
  });
  return moved.ok ? moved.search : ((await deps.searches.get(search.id)) ?? search);
}

/** Variants of the current generation that still need this stage (`smoke`: a legacy smoke run in flight). */
function pendingFor(search: EvolveSearch, stage: VariantStage): Variant[] {
  return search.variants.filter((v) => {
    if (v.generation !== search.generation || v.status === 'dropped' || v.status === 'failed') return false;
    if (stage === 'smoke') return v.role === 'child' && v.smoke !== undefined && !v.smoke.outcome;
    return !v.run?.outcome;
  });
}

async function finishStage(deps: DriveDeps, searchId: string, stage: VariantStage): Promise<EvolveSearch> {
  const search = await deps.searches.get(searchId);
  if (!search || search.stop) return search as EvolveSearch;
  if (pendingFor(search, stage).length > 0) return search;
  if (stage === 'smoke') {
    // A child whose smoke run failed is out of the generation, with its failure class.
    const variants = search.variants.map((v) =>
      v.generation === search.generation &&
      v.role === 'child' &&
      v.smoke?.outcome === 'failed' &&
      v.status !== 'failed'
        ? { ...v, status: 'failed' as const, failureClass: v.failureClass ?? 'smoke_failed' }
        : v,
    );
    const moved = await deps.searches.move(searchId, {
      from: 'smoke',
      to: 'running',
      ifVersion: search.version,
      patch: { variants },
    });
    return moved.ok ? moved.search : ((await deps.searches.get(searchId)) ?? search);
  }
  const judged = judgeGeneration(search, search.generation);
  const generations = search.generations.map((g) =>
    g.generation === search.generation
      ? {
          ...g,
          judged: {
            parentHash: judged.parentHash,
            replaced: judged.replaced,
            noise: judged.noise,
            ...(judged.best !== undefined ? { best: judged.best } : {}),
            ...(judged.parentMean !== undefined ? { parentMean: judged.parentMean } : {}),
          },
        }
      : g,
  );
  const moved = await deps.searches.move(searchId, {
    from: 'running',
    to: 'judged',
    ifVersion: search.version,
    patch: { parentHash: judged.parentHash, generations },
  });
  return moved.ok ? moved.search : ((await deps.searches.get(searchId)) ?? search);
}
