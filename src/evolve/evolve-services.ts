import { runCodeChecks } from '../codegen/checks/run-code-checks.js';
import { codegenSystemPrompt } from '../codegen/prompts/system-prompt.js';
import type { Config } from '../config/load-config.js';
import type { CoreDeps } from '../deps.js';
import type { EvolveSearch } from '../domain/evolve-search.js';
import type { Compute } from '../ports/compute.js';
import type { Llm } from '../ports/llm.js';
import { priceFor } from '../ports/llm-pricing.js';
import type { SearchStore } from '../ports/search-store.js';
import type { Sleep } from '../ports/sleep.js';
import type { InstancePool } from '../runs/instance-pool.js';
import type { CostRates } from './cost-estimate.js';
import type { DriveDeps } from './drive-search.js';
import { parentProfile } from './parent-profile.js';

/** The core dependencies a search is driven with: compute, the search store and the model are required. */
export type EvolveCoreDeps = CoreDeps & { compute: Compute; searches: SearchStore; llm: Llm };

/** Minutes a warm instance spends on a variant beyond its budget (fetch, profile, upload). */
const OVERHEAD_MINUTES = 1;

/**
 * The prices a search is estimated and capped with: the compute's instance price and the proposal model's
 * configured token prices (the code-generation model writes the variants). The plan and the per-generation cap
 * use the same figures, so what the thread promised is what the worker enforces.
 */
export function evolveRates(
  config: Pick<Config, 'bedrock'>,
  compute: Pick<Compute, 'hourlyPriceUsd'>,
): CostRates {
  const price = priceFor(config.bedrock.prices, config.bedrock.codegenModelId);
  return {
    hourlyPriceUsd: compute.hourlyPriceUsd,
    inputPerMTok: price?.inputPerMTok ?? 0,
    outputPerMTok: price?.outputPerMTok ?? 0,
    overheadMinutes: OVERHEAD_MINUTES,
  };
}

export interface EvolveTimings {
  pollMs: number;
  pendingLimitMs: number;
  heartbeatMs: number;
  /** Wait between tries when every instance is held by other runs. */
  busyRetryMs: number;
}

/**
 * What `driveSearch` needs for one search, from the core dependencies: the instance pool the paper runs
 * lease from (so variants and runs share the same room), the code-generation model and checks for proposals
 * (with the search's backend and objective), the ledger and the daily budget for the cap.
 */
export function evolveDriveDeps(
  deps: EvolveCoreDeps,
  search: EvolveSearch,
  options: {
    pool: InstancePool;
    sleep: Sleep;
    timings: EvolveTimings;
    onChange?: DriveDeps['onChange'];
  },
): DriveDeps {
  const { config, compute } = deps;
  const target = search.settings.target;
  const logger = deps.logger.child({ paperId: search.paperId, searchId: search.id });
  return {
    searches: deps.searches,
    blobs: deps.blobs,
    compute,
    pool: options.pool,
    coordination: deps.coordination,
    ledger: deps.ledger,
    clock: deps.clock,
    sleep: options.sleep,
    logger,
    // On EC2 the search's target picks the runner's backend; the local runner has the one it was given.
    backend: compute.kind === 'ec2' ? target : config.compute.localBackend,
    timings: {
      pollMs: options.timings.pollMs,
      pendingLimitMs: options.timings.pendingLimitMs,
      heartbeatMs: options.timings.heartbeatMs,
    },
    propose: {
      llm: deps.llm,
      modelId: config.bedrock.codegenModelId,
      // The code-generation system prompt of the search's target, unchanged between calls: the cacheable
      // prefix of every proposal. The checks get the target and objective from the proposal itself.
      systemFor: (backend) => codegenSystemPrompt(config, backend),
      check: (code, checks) =>
        runCodeChecks(code, { allowedHosts: config.codegen.allowedDatasetHosts, ...checks }),
      logger,
    },
    parentProfile: (current) =>
      parentProfile(
        {
          papers: deps.papers,
          blobs: deps.blobs,
          storageScope: (instanceId) => compute.storageScope(instanceId),
          logger,
        },
        current,
      ),
    rates: evolveRates(config, compute),
    budget: { dailyUsd: config.budget.dailyUsd, timezone: config.timezone },
    busyRetryMs: options.timings.busyRetryMs,
    ...(options.onChange ? { onChange: options.onChange } : {}),
  };
}
