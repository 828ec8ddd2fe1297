import { describe, expect, it } from 'vitest';
import { estimatePlan } from '../../src/evolve/cost-estimate.js';
import { leaderboardRows } from '../../src/domain/evolve-leaderboard.js';
import { diffFromOrigin, lineageOf } from '../../src/domain/evolve-lineage.js';
import { finalVerdict } from '../../src/domain/evolve-noise-rule.js';
import { resultsTsv } from '../../src/evolve/results-tsv.js';
import { EVOLVE_ACTION_IDS } from '../../src/messages/evolve-actions.js';
import { evolveLeaderboardMessage } from '../../src/messages/evolve-leaderboard.js';
import { evolvePlanMessage } from '../../src/messages/evolve-plan.js';
import { evolveSummaryMessage } from '../../src/messages/evolve-summary.js';
import { evolvePlotSpec, renderEvolvePlot } from '../../src/plots/evolve-plot.js';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';
import { hashOf, ORIGIN, searchFixture, variant } from '../evolve/search-fixture.js';

const RATES = { hourlyPriceUsd: 1.34, inputPerMTok: 3, outputPerMTok: 15, overheadMinutes: 1 };

/** Generation 1 kept g1.v1 (1.7); generation 2's best child was within noise. */
const finished = searchFixture({
  state: 'finished',
  generation: 2,
  parentHash: hashOf('b'),
  endReason: 'all 2 generations ran (real_improvement)',
  variants: [
    variant(1, 0, ORIGIN, 2.05, { costUsd: 0.13 }),
    variant(1, 1, hashOf('b'), 1.7, { strategy: 'batch 8 → 16 <b>bold</b>', costUsd: 0.13 }),
    variant(1, 2, hashOf('c'), undefined, {
      label: 'aggressive',
      failureClass: 'compiler_error',
      costUsd: 0.01,
    }),
    variant(2, 0, hashOf('b'), 1.72, { role: 'parent', parentHash: hashOf('b'), costUsd: 0.13 }),
    variant(2, 1, hashOf('d'), 1.69, { label: 'conservative', parentHash: hashOf('b'), costUsd: 0.13 }),
    // Stopped by the runner's smoke gate: it never printed val_loss, and cost its window, not its budget.
    variant(2, 2, hashOf('e'), undefined, {
      label: 'aggressive',
      parentHash: hashOf('b'),
      failureClass: 'no_objective',
      gate: { passed: false },
      costUsd: 0.06,
    }),
  ],
});

describe('evolve messages', () => {
  it('plans with runs, time, tokens and cost against the cap, with Confirm only when it fits', () => {
    const search = searchFixture({ state: 'planned' });
    const plan = estimatePlan(search.settings, RATES, 7000, { spentTodayUsd: 1.5, dailyUsd: 50 });
    const message = evolvePlanMessage(search, plan);
    expect(message).toMatchSnapshot();
    expectWithinBlockKitLimits(message.blocks);
    expect(JSON.stringify(message)).toContain(EVOLVE_ACTION_IDS.confirm);
    const over = evolvePlanMessage(search, { ...plan, withinMaxUsd: false });
    expect(JSON.stringify(over)).not.toContain(EVOLVE_ACTION_IDS.confirm);
    expect(JSON.stringify(over)).toContain('over the cap');
  });

  it('shows one leaderboard with every variant, escaped strategies, and Stop while live', () => {
    const running = { ...finished, state: 'running' as const };
    const live = evolveLeaderboardMessage(running, leaderboardRows(running));
    expect(live).toMatchSnapshot();
    expectWithinBlockKitLimits(live.blocks);
    const text = JSON.stringify(live);
    expect(text).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(text).toContain('`compiler_error`');
    expect(text).toContain('`no_objective` at its smoke stage');
    expect(text).not.toContain('`compiler_error` at its smoke stage');
    expect(text).toContain(EVOLVE_ACTION_IDS.stopNow);
    expect(JSON.stringify(evolveLeaderboardMessage(finished, leaderboardRows(finished)))).not.toContain(
      EVOLVE_ACTION_IDS.stop,
    );
  });

  it('sums up with the verdict, lineage, cost, the diff from the original and Adopt', () => {
    expect(lineageOf(finished).map((v) => v.id)).toEqual(['s_1.g1.v1']);
    const diff = diffFromOrigin('lr = 3e-4\nbatch = 8\n', 'lr = 3e-4\nbatch = 16\n');
    const summaryOf = (search: typeof finished, diff: string, totalUsd: number) =>
      evolveSummaryMessage(search, {
        diff,
        totalUsd,
        verdict: finalVerdict(search),
        lineage: lineageOf(search),
      });
    const message = summaryOf(finished, diff, 0.58);
    expect(message).toMatchSnapshot();
    expectWithinBlockKitLimits(message.blocks);
    expect(JSON.stringify(message)).toContain(`"value":"s_1:s_1.g1.v1"`);
    const none = summaryOf({ ...finished, parentHash: ORIGIN }, '', 0.1);
    expect(JSON.stringify(none)).not.toContain(EVOLVE_ACTION_IDS.adopt);
    expect(none.text).toBe('Evolve finished: no improvement');
  });

  it('names who stopped a search (a real mention) and says why a capped one ended, escaping the rest', () => {
    const stopped = evolveSummaryMessage(
      { ...finished, state: 'stopped', endReason: 'stopped by <@U0APPROVER1> <b>now</b>' },
      { diff: '', totalUsd: 0.2, verdict: finalVerdict(finished), lineage: lineageOf(finished) },
    );
    expect(stopped).toMatchSnapshot();
    const text = JSON.stringify(stopped);
    expect(text).toContain('stopped by <@U0APPROVER1>');
    expect(text).toContain('&lt;b&gt;now&lt;/b&gt;');
    const capped = evolveSummaryMessage(
      {
        ...finished,
        state: 'capped',
        endReason: 'stopped before generation 2: its estimate $1.20 would pass the cap',
      },
      { diff: '', totalUsd: 0.7, verdict: finalVerdict(finished), lineage: lineageOf(finished) },
    );
    expect(JSON.stringify(capped)).toContain('(capped): stopped before generation 2');
  });

  it('writes the full table as TSV and plots every variant with the best so far', async () => {
    const tsv = resultsTsv(finished);
    expect(tsv.split('\n')[0]).toBe(
      'variant\tgeneration\tlabel\tstrategy\tstatus\tval_loss\tfailure\tcode_hash\tusd',
    );
    expect(tsv.trim().split('\n')).toHaveLength(7);
    expect(tsv).toContain('s_1.g1.v2\t1\taggressive\tchange 2\tfailed\t\tcompiler_error');
    const spec = evolvePlotSpec(finished) as { layer: { data: { values: unknown[] } }[] };
    expect(spec.layer[1]?.data.values).toEqual([
      { generation: 1, best: 1.7 },
      { generation: 2, best: 1.69 },
    ]);
    const png = await renderEvolvePlot(finished);
    expect(png?.subarray(1, 4).toString()).toBe('PNG');
  });
});
