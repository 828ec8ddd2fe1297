import { afterAll, describe, expect, it } from 'vitest';
import {
  openSherpaDatabase,
  SqliteCoordinationStore,
  SqliteCostLedger,
} from '../../src/adapters/embedded/index.js';
import {
  capCheck,
  estimateGeneration,
  estimatePlan,
  estimateProposalTokens,
  PROPOSE_PURPOSE,
  searchSpend,
  type CostRates,
} from '../../src/evolve/cost-estimate.js';
import { billInstanceTime, startBilling } from '../../src/runs/instance-billing.js';
import { ManualClock } from '../support/embedded-core-deps.js';
import { hashOf, ORIGIN, searchFixture, variant } from './search-fixture.js';

const RATES: CostRates = { hourlyPriceUsd: 1.34, inputPerMTok: 3, outputPerMTok: 15, overheadMinutes: 1 };

const database = openSherpaDatabase({ dataDir: ':memory:' });
afterAll(() => database.close());

describe('the cost estimate', () => {
  it('prices N + 1 runs (the smoke stage is inside each child’s run) and one proposal call per generation', () => {
    const tokens = estimateProposalTokens({ parentChars: 7000, variants: 3, leaderboardRows: 4 });
    expect(tokens).toEqual({ input: 2500 + 2000 + 160 + 400, output: 2100 });
    const generation = estimateGeneration({ variants: 3, minutes: 5 }, RATES, tokens);
    expect(generation).toMatchObject({ runs: 4, llmCalls: 1 });
    expect(generation).not.toHaveProperty('smokeRuns');
    expect(generation.instanceMinutes).toBeCloseTo(4 * 6);
    const llmUsd = (5060 * 3 + 2100 * 15) / 1e6;
    expect(generation.usd).toBeCloseTo((24 / 60) * 1.34 + llmUsd, 10);
  });

  it('sets the whole plan against --max-usd and what is left of the daily budget', () => {
    const settings = { ...searchFixture().settings, startRepeats: 2 };
    const plan = estimatePlan(settings, RATES, 7000, { spentTodayUsd: 9, dailyUsd: 10 });
    expect(plan.runs).toBe(2 * 4 + 2);
    expect(plan.llmCalls).toBe(2);
    expect(plan.usd).toBeCloseTo(2 * plan.perGeneration.usd + ((2 * 6) / 60) * 1.34, 10);
    expect(plan.withinMaxUsd).toBe(true);
    expect(plan.withinDaily).toBe(false);
  });

  it('matches what the ledger records for a generation whose runs use exactly their budgets', async () => {
    const clock = new ManualClock('2026-12-05T09:00:00.000Z');
    const ledger = new SqliteCostLedger(database);
    const coordination = new SqliteCoordinationStore(database, { clock });
    const billing = { coordination, ledger, clock, hourlyPriceUsd: RATES.hourlyPriceUsd };
    const search = searchFixture({ createdAt: '2026-12-05T08:59:00.000Z' });
    const variants = [variant(1, 0, ORIGIN, 2.1)];
    for (let i = 1; i <= 3; i += 1) variants.push(variant(1, i, hashOf(String(i)), 2 - i / 10));
    // One run per variant: a child's smoke stage is the first seconds of it (the runner's smoke gate).
    variants.forEach((v, i) => {
      v.run = { runId: `run-${i}` };
    });
    // Each run on its instance, billed as the run worker bills: budget + overhead of running time.
    const bill = async (runId: string, minutes: number) => {
      const instance = `i-${runId}`;
      await startBilling(billing, instance);
      clock.advance(minutes * 60_000);
      await billInstanceTime(billing, instance, { purpose: 'run', paperId: 'p_1', runId });
    };
    for (const v of variants) if (v.run) await bill(v.run.runId, 5 + RATES.overheadMinutes);
    const tokens = estimateProposalTokens({ parentChars: 7000, variants: 3, leaderboardRows: 0 });
    await ledger.record({
      at: clock.now().toISOString(),
      paperId: 'p_1',
      kind: 'llm',
      resource: 'model',
      purpose: PROPOSE_PURPOSE,
      inputTokens: tokens.input,
      outputTokens: tokens.output,
      usd: (tokens.input * RATES.inputPerMTok + tokens.output * RATES.outputPerMTok) / 1e6,
    });
    // Someone else's run and the paper's codegen are not the search's.
    await bill('not-ours', 60);
    await ledger.record({
      at: clock.now().toISOString(),
      paperId: 'p_1',
      kind: 'llm',
      resource: 'model',
      purpose: 'codegen.code',
      usd: 5,
    });

    const actual = searchSpend({ ...search, variants }, await ledger.entries({ paperId: 'p_1' }));
    const estimate = estimateGeneration(search.settings, RATES, tokens);
    expect(actual.instanceSeconds).toBeCloseTo(estimate.instanceMinutes * 60, 0);
    expect(actual.usd).toBeCloseTo(estimate.usd, 2);
    expect(actual.inputTokens).toBe(estimate.inputTokens);

    // A child stopped at its smoke gate (90 s window, then the runner's overhead) spends less than its run's
    // estimate: the estimate stays an upper bound for the cap.
    const stopped = variant(1, 4, hashOf('4'), 2);
    stopped.run = { runId: 'run-gated' };
    await bill('run-gated', 90 / 60 + RATES.overheadMinutes);
    const withStopped = searchSpend(
      { ...search, variants: [...variants, stopped] },
      await ledger.entries({ paperId: 'p_1' }),
    );
    const four = estimateGeneration({ ...search.settings, variants: 4 }, RATES, tokens);
    expect(withStopped.instanceSeconds - actual.instanceSeconds).toBeCloseTo((90 / 60 + 1) * 60, 0);
    expect(withStopped.instanceSeconds).toBeLessThan(four.instanceMinutes * 60);
  });

  it('stops before a generation that would pass the cap or the daily budget, and not before', () => {
    const next = estimateGeneration({ variants: 3, minutes: 5 }, RATES, {
      input: 5000,
      output: 2000,
    });
    const base = { next, maxUsd: 2, spentTodayUsd: 0, dailyUsd: 50, generation: 2 };
    expect(capCheck({ ...base, spentUsd: 2 - next.usd })).toEqual({ ok: true });
    const capped = capCheck({ ...base, spentUsd: 2 - next.usd + 0.01 });
    expect(capped).toMatchObject({ ok: false, limitUsd: 2 });
    expect(!capped.ok && capped.reason).toMatch(/generation 2 .* past its cap/);
    const daily = capCheck({ ...base, spentUsd: 0, spentTodayUsd: 49.9 });
    expect(!daily.ok && daily.reason).toMatch(/daily budget/);
  });
});
