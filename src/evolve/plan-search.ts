import { randomBytes } from 'node:crypto';
import type { Config } from '../config/load-config.js';
import type { CoreDeps } from '../deps.js';
import { codeBackendOf, type CodeVersion } from '../domain/code-version.js';
import type { PlanEstimate } from '../domain/evolve-plan-estimate.js';
import { EvolveSearchSchema, type EvolveSearch } from '../domain/evolve-search.js';
import type { Objective } from '../domain/objective.js';
import type { Paper } from '../domain/paper.js';
import type { RunRecord } from '../domain/run-record.js';
import {
  evolveBudgetSpent,
  evolveMetricNotPrinted,
  evolveNoObjective,
  evolveNoSucceededRun,
  evolveNoThread,
  evolvePaperGone,
  evolveTargetMismatch,
} from '../messages/evolve-replies.js';
import { formatUsd } from '../messages/format-units.js';
import type { EvolveCommand } from '../commands/parse-evolve-command.js';
import { priceFor } from '../ports/llm-pricing.js';
import type { SearchStore } from '../ports/search-store.js';
import { readResultAt } from '../runner/read-run-files.js';
import { startOfLocalDay } from '../runs/local-day.js';
import { estimatePlan, type CostRates } from './cost-estimate.js';

/**
 * What was asked for: the command's options (the Evolve button gives the defaults), with `input` as written for
 * the answers that suggest a corrected command. What is left out is filled from the run, the code version and the
 * config.
 */
export interface EvolveRequest extends Pick<
  EvolveCommand,
  'input' | 'variants' | 'generations' | 'minutes' | 'maxUsd' | 'objective' | 'target'
> {
  paperId: string;
  /** The Evolve button's code (a succeeded run of it); absent for `/paper evolve`: the latest succeeded run. */
  codeHash?: string;
  userId: string;
}

export type PlanDeps = Pick<CoreDeps, 'papers' | 'blobs' | 'ledger' | 'clock' | 'config' | 'logger'> & {
  searches: SearchStore;
  compute?: { hourlyPriceUsd: number };
};

export type PlanOutcome =
  | { kind: 'planned'; search: EvolveSearch; paper: Paper; estimate: PlanEstimate; fits: boolean }
  /** The paper already has a live search; nothing new was stored. */
  | { kind: 'live'; search: EvolveSearch }
  | { kind: 'refused'; message: string };

/**
 * The smoke stage's "few steps" (item 3): a child's run is stopped unless it reports the objective within this
 * plus the backend's start-up allowance of its own time (the runner's smoke gate, src/domain/evolve-smoke-gate.ts),
 * so a broken variant costs about that, not the budget. A Neuron compile is not in it: the runner leaves the
 * compiler's time out of the window, and after a generation's first variant the search's compile cache makes it
 * a lookup. `bench/evolve-search.ts` uses this same figure.
 */
export const SMOKE_SECONDS = 30;
/** The same seed for every variant of a search (item 4); fixed, so a re-run search compares alike. */
export const SEARCH_SEED = 1234;
/** Minutes a warm instance spends on a run beyond its budget (fetch, profile, upload). */
export const RUN_OVERHEAD_MINUTES = 1;

/** The prices a plan is estimated with: the compute's instance price and the code model's token prices. */
export function planRates(config: Config, compute?: { hourlyPriceUsd: number }): CostRates {
  const price = priceFor(config.bedrock.prices, config.bedrock.codegenModelId);
  return {
    hourlyPriceUsd: compute?.hourlyPriceUsd ?? config.compute.hourlyPriceUsd,
    inputPerMTok: price?.inputPerMTok ?? 0,
    outputPerMTok: price?.outputPerMTok ?? 0,
    overheadMinutes: RUN_OVERHEAD_MINUTES,
  };
}

function originRun(paper: Paper, codeHash: string | undefined): RunRecord | undefined {
  return paper.runs.findLast(
    (run) => run.status === 'succeeded' && (codeHash === undefined || run.codeHash === codeHash),
  );
}

/** The objective's value in the origin run, or why the search cannot use that metric. */
async function originMetric(
  deps: PlanDeps,
  run: RunRecord,
  objective: Objective,
): Promise<{ ok: true; metric?: number } | { ok: false; message: string }> {
  if (!run.resultKey) return { ok: true };
  const result = await readResultAt(deps.blobs, run.resultKey, run.runId).catch((error: unknown) => {
    deps.logger.warn({ err: error, runId: run.runId }, 'could not read the origin run’s result');
    return undefined;
  });
  if (!result) return { ok: true };
  const summary = result.metrics.summary[objective.metric];
  if (!summary)
    return {
      ok: false,
      message: evolveMetricNotPrinted(objective.metric, run.runId, Object.keys(result.metrics.summary)),
    };
  return Number.isFinite(summary.last) ? { ok: true, metric: summary.last } : { ok: true };
}

/** The plan's figures for a search: its settings, its parent's size, today's spend. */
export async function estimateFor(
  deps: Omit<PlanDeps, 'searches'>,
  search: EvolveSearch,
  today?: { spentTodayUsd: number; dailyUsd: number },
): Promise<PlanEstimate> {
  const dailyUsd = deps.config.budget.dailyUsd;
  const since = startOfLocalDay(deps.clock.now(), deps.config.timezone).toISOString();
  const budget = today ?? { spentTodayUsd: (await deps.ledger.summarize({ since })).usd, dailyUsd };
  const code = (await deps.blobs.getText(`code/${search.parentHash}.py`)) ?? '';
  return estimatePlan(search.settings, planRates(deps.config, deps.compute), code.length, budget);
}

/**
 * Plan a search (issue 13, item 1): from a paper's succeeded run, with the defaults filled (the run's budget,
 * the code's own objective and backend, what is left of today's budget as the cap), estimated, and stored as
 * `planned`: one live search per paper, so a second click or a redelivered one finds the first. Nothing runs
 * and nothing is posted here; a plan over its cap or the day's budget is stored as stopped (it never starts)
 * so that it does not hold the paper's one live search.
 */
export async function planSearch(deps: PlanDeps, request: EvolveRequest): Promise<PlanOutcome> {
  const refuse = (message: string): PlanOutcome => ({ kind: 'refused', message });
  const live = await deps.searches.liveFor(request.paperId);
  if (live) return { kind: 'live', search: live };
  const paper = await deps.papers.get(request.paperId);
  if (!paper) return refuse(evolvePaperGone(request.paperId));
  if (!paper.thread) return refuse(evolveNoThread(paper.id));
  const run = originRun(paper, request.codeHash);
  const version: CodeVersion | undefined = run && paper.codeVersions.find((v) => v.hash === run.codeHash);
  if (!run || !version) return refuse(evolveNoSucceededRun(paper.id));
  const objective = request.objective ?? version.objective;
  if (!objective) return refuse(evolveNoObjective(version.version, request.input));
  const backend = codeBackendOf(version);
  if (request.target && request.target !== backend)
    return refuse(evolveTargetMismatch(version.version, backend, request.target));
  const origin = await originMetric(deps, run, objective);
  if (!origin.ok) return refuse(origin.message);

  const since = startOfLocalDay(deps.clock.now(), deps.config.timezone).toISOString();
  const spentTodayUsd = (await deps.ledger.summarize({ since })).usd;
  const dailyUsd = deps.config.budget.dailyUsd;
  const maxUsd = request.maxUsd ?? Math.floor((dailyUsd - spentTodayUsd) * 100) / 100;
  if (maxUsd < 0.01) return refuse(evolveBudgetSpent(formatUsd(spentTodayUsd), formatUsd(dailyUsd)));

  const at = deps.clock.now().toISOString();
  const search = EvolveSearchSchema.parse({
    id: `s_${randomBytes(6).toString('hex')}`,
    paperId: paper.id,
    version: 1,
    state: 'planned',
    generation: 0,
    settings: {
      variants: request.variants,
      generations: request.generations,
      minutes: request.minutes ?? Math.min(deps.config.codegen.runBudgetMinutes, 240),
      smokeSeconds: SMOKE_SECONDS,
      maxUsd,
      objective,
      target: backend,
      seed: SEARCH_SEED,
      startRepeats: 0,
    },
    origin: {
      codeHash: version.hash,
      runId: run.runId,
      ...(origin.metric !== undefined ? { metric: origin.metric } : {}),
    },
    parentHash: version.hash,
    requestedBy: request.userId,
    thread: paper.thread,
    createdAt: at,
    updatedAt: at,
  });
  const estimate = await estimateFor(deps, search, { spentTodayUsd, dailyUsd });
  const created = await deps.searches.create(search);
  if (!created.created) return { kind: 'live', search: created.search };
  const fits = estimate.withinMaxUsd && estimate.withinDaily;
  let stored = created.search;
  if (!fits) {
    const moved = await deps.searches.move(stored.id, {
      from: 'planned',
      to: 'stopped',
      ifVersion: stored.version,
      patch: { endReason: 'the plan is over its cap or today’s budget; it never started' },
    });
    if (moved.ok) stored = moved.search;
  }
  deps.logger.info(
    { paperId: paper.id, searchId: stored.id, usd: estimate.usd, maxUsd, fits },
    'evolve search planned',
  );
  return { kind: 'planned', search: stored, paper, estimate, fits };
}
