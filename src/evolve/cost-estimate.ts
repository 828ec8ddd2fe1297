import type { LedgerEntry } from '../ports/cost-ledger.js';
import type { EvolveSearch, SearchSettings } from '../domain/evolve-search.js';
import type { GenerationEstimate, PlanEstimate } from '../domain/evolve-plan-estimate.js';

/**
 * What a search costs before it runs (the plan posted in the thread) and before each generation (the cap,
 * issue 13, item 1). Instances stay warm between generations, so a run costs its budget plus a small
 * per-run overhead (fetch, profile, upload), not a boot; the first compile is in the origin's own run.
 */
export interface CostRates {
  /** The compute's instance price (0 on the local host). */
  hourlyPriceUsd: number;
  /** The proposal model's on-demand prices per million tokens. */
  inputPerMTok: number;
  outputPerMTok: number;
  /** Minutes a warm instance spends on a run beyond its budget. */
  overheadMinutes: number;
}

export interface ProposalTokens {
  input: number;
  output: number;
}

/** Instructions, the diversity rules and the reply schema, before the parent and the leaderboard. */
const PROMPT_BASE_TOKENS = 2_500;
/** A unified diff of a training script's hyper-parameters or one block, with its strategy line. */
const OUTPUT_TOKENS_PER_VARIANT = 700;
const LEADERBOARD_TOKENS_PER_ROW = 40;
const PROFILE_TOKENS = 400;

/**
 * Tokens of one generation's call: the parent script (about 3.5 characters a token for Python), the
 * leaderboard and the profile in; N diffs out. A repair, when needed, resends only the failed diffs and is
 * kept within the generation's estimate by `proposalCallBudget`.
 */
export function estimateProposalTokens(input: {
  parentChars: number;
  variants: number;
  leaderboardRows: number;
}): ProposalTokens {
  return {
    input:
      PROMPT_BASE_TOKENS +
      Math.ceil(input.parentChars / 3.5) +
      input.leaderboardRows * LEADERBOARD_TOKENS_PER_ROW +
      PROFILE_TOKENS,
    output: input.variants * OUTPUT_TOKENS_PER_VARIANT,
  };
}

type Shape = Pick<SearchSettings, 'variants' | 'minutes'>;

export type { GenerationEstimate, PlanEstimate };

/**
 * One generation: N children and the parent's re-run, one run each. A child's smoke stage is the first seconds
 * of its run (the runner's smoke gate), not a run of its own, so it adds nothing: a broken child stopped at the
 * gate costs less than the full run priced here, which keeps the estimate an upper bound for the cap.
 */
export function estimateGeneration(
  shape: Shape,
  rates: CostRates,
  tokens: ProposalTokens,
): GenerationEstimate {
  const runs = shape.variants + 1;
  const instanceMinutes = runs * (shape.minutes + rates.overheadMinutes);
  const llmUsd = (tokens.input * rates.inputPerMTok + tokens.output * rates.outputPerMTok) / 1_000_000;
  return {
    runs,
    instanceMinutes,
    llmCalls: 1,
    inputTokens: tokens.input,
    outputTokens: tokens.output,
    usd: (instanceMinutes / 60) * rates.hourlyPriceUsd + llmUsd,
  };
}

export function estimatePlan(
  settings: SearchSettings,
  rates: CostRates,
  parentChars: number,
  budget: { spentTodayUsd: number; dailyUsd: number },
): PlanEstimate {
  // The leaderboard grows by N + 1 rows a generation: price the last (largest) prompt for every generation.
  const rows = (settings.generations - 1) * (settings.variants + 1);
  const tokens = estimateProposalTokens({ parentChars, variants: settings.variants, leaderboardRows: rows });
  const perGeneration = estimateGeneration(settings, rates, tokens);
  const startMinutes = settings.startRepeats * (settings.minutes + rates.overheadMinutes);
  const instanceMinutes = settings.generations * perGeneration.instanceMinutes + startMinutes;
  const usd = settings.generations * perGeneration.usd + (startMinutes / 60) * rates.hourlyPriceUsd;
  return {
    generations: settings.generations,
    perGeneration,
    startRuns: settings.startRepeats,
    runs: settings.generations * perGeneration.runs + settings.startRepeats,
    instanceMinutes,
    llmCalls: settings.generations,
    tokens: settings.generations * (tokens.input + tokens.output),
    usd,
    maxUsd: settings.maxUsd,
    withinMaxUsd: usd <= settings.maxUsd,
    spentTodayUsd: budget.spentTodayUsd,
    dailyUsd: budget.dailyUsd,
    withinDaily: budget.spentTodayUsd + usd <= budget.dailyUsd,
  };
}

export interface SearchSpend {
  usd: number;
  instanceSeconds: number;
  llmUsd: number;
  inputTokens: number;
  outputTokens: number;
}

/** The proposal call's ledger purpose: how a search's model spend is told apart from codegen's. */
export const PROPOSE_PURPOSE = 'evolve.propose';

/** Every run id a search has started (full, and a legacy search's smoke runs): how its instance time is found in the ledger. */
export function runIdsOf(search: EvolveSearch): Set<string> {
  const ids = new Set<string>();
  for (const variant of search.variants) {
    if (variant.smoke) ids.add(variant.smoke.runId);
    if (variant.run) ids.add(variant.run.runId);
  }
  return ids;
}

/**
 * What the search has actually spent, from the ledger: instance time billed to its runs, and its proposal
 * calls (one search per paper at a time, so the paper's `evolve.propose` entries since it began are its own).
 */
export function searchSpend(search: EvolveSearch, entries: readonly LedgerEntry[]): SearchSpend {
  const runIds = runIdsOf(search);
  const spend: SearchSpend = { usd: 0, instanceSeconds: 0, llmUsd: 0, inputTokens: 0, outputTokens: 0 };
  for (const entry of entries) {
    if (entry.paperId !== search.paperId || entry.at < search.createdAt) continue;
    if (entry.kind === 'instance' && entry.runId && runIds.has(entry.runId)) {
      spend.usd += entry.usd;
      spend.instanceSeconds += entry.seconds ?? 0;
    } else if (entry.kind === 'llm' && entry.purpose === PROPOSE_PURPOSE) {
      spend.usd += entry.usd;
      spend.llmUsd += entry.usd;
      spend.inputTokens += entry.inputTokens ?? 0;
      spend.outputTokens += entry.outputTokens ?? 0;
    }
  }
  return spend;
}

export type CapCheck =
  { ok: true } | { ok: false; reason: string; spentUsd: number; nextUsd: number; limitUsd: number };

/**
 * The cap rule: a generation starts only if what the search has spent plus that generation's estimate stays
 * within --max-usd, and today's spend plus the estimate within the daily budget. The search never spends past
 * its cap: it stops before the generation that would.
 */
export function capCheck(input: {
  spentUsd: number;
  next: GenerationEstimate;
  maxUsd: number;
  spentTodayUsd: number;
  dailyUsd: number;
  generation: number;
}): CapCheck {
  const { spentUsd, next, maxUsd } = input;
  if (spentUsd + next.usd > maxUsd)
    return {
      ok: false,
      reason: `generation ${input.generation} (≈$${next.usd.toFixed(2)}) would take the search past its cap: $${spentUsd.toFixed(2)} spent of $${maxUsd.toFixed(2)}`,
      spentUsd,
      nextUsd: next.usd,
      limitUsd: maxUsd,
    };
  if (input.spentTodayUsd + next.usd > input.dailyUsd)
    return {
      ok: false,
      reason: `generation ${input.generation} (≈$${next.usd.toFixed(2)}) would pass the daily budget: $${input.spentTodayUsd.toFixed(2)} spent today of $${input.dailyUsd.toFixed(2)}`,
      spentUsd,
      nextUsd: next.usd,
      limitUsd: input.dailyUsd,
    };
  return { ok: true };
}
