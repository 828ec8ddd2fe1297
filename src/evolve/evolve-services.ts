import { runCodeChecks } from '../codegen/checks/run-code-checks.js';
import { codegenSystemPrompt } from '../codegen/prompts/system-prompt.js';
import type { CoreDeps } from '../deps.js';
import type { EvolveSearch } from '../domain/evolve-search.js';
import type { Compute } from '../ports/compute.js';
import type { Llm } from '../ports/llm.js';
import type { SearchStore } from '../ports/search-store.js';
import type { Sleep } from '../ports/sleep.js';
import type { InstancePool } from '../runs/instance-pool.js';
import type { DriveDeps } from './drive-search.js';
import { parentProfile } from './parent-profile.js';
import { planRates } from './plan-search.js';
import { otherWorkWaiting } from './parent-sample-fill.js';

/** The core dependencies a search is driven with: compute, the search store and the model are required. */
export type EvolveCoreDeps = CoreDeps & { compute: Compute; searches: SearchStore; llm: Llm };

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
    // The plan's own prices: what the thread promised is what the cap enforces.
    rates: planRates(config, compute),
    budget: { dailyUsd: config.budget.dailyUsd, timezone: config.timezone },
    busyRetryMs: options.timings.busyRetryMs,
    // A paper run waiting for an instance, or another search (between or within its generations), shares
    // this pool: a warm idle slot is then theirs, not a parent sample's (parent-sample-fill.ts).
    otherWorkWaiting: (current) => otherWorkWaiting(deps, current.id),
    ...(options.onChange ? { onChange: options.onChange } : {}),
  };
}
