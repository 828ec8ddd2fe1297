import { formatObjective } from '../domain/objective.js';
import type { EvolveSearch } from '../domain/evolve-search.js';
import type { PlanEstimate } from '../domain/evolve-plan-estimate.js';
import { EVOLVE_ACTION_IDS } from './evolve-actions.js';
import { formatUsd } from './format-units.js';
import type { MessageContent } from './message-content.js';

/** The estimate's figures the plan shows (`estimatePlan` in src/evolve/cost-estimate.ts computes them). */
export type PlanFigures = Pick<
  PlanEstimate,
  | 'runs'
  | 'instanceMinutes'
  | 'llmCalls'
  | 'tokens'
  | 'usd'
  | 'maxUsd'
  | 'withinMaxUsd'
  | 'spentTodayUsd'
  | 'dailyUsd'
  | 'withinDaily'
>;

/**
 * The plan posted in the thread before anything runs (issue 13, item 1): runs, instance minutes, tokens and the
 * estimated cost against --max-usd and the daily budget. One approver confirms it (the modal); a plan over
 * either limit says so and has no Confirm button.
 */
export function evolvePlanMessage(search: EvolveSearch, estimate: PlanFigures): MessageContent {
  const s = search.settings;
  const fits = estimate.withinMaxUsd && estimate.withinDaily;
  const lines = [
    `🧬 *Evolve plan* (asked by <@${search.requestedBy}>): ${s.generations} generations × ${s.variants} variants, ${s.minutes} min each, objective *${formatObjective(s.objective)}*, target ${s.target}`,
    `• Runs: ${estimate.runs} (${s.variants} smoke + ${s.variants} full + 1 parent re-run per generation${s.startRepeats ? `, ${s.startRepeats} repeats of the original first` : ''})`,
    `• Instance time: ≈${Math.round(estimate.instanceMinutes)} min · model: ${estimate.llmCalls} calls, ≈${Math.round(estimate.tokens / 1000)}k tokens`,
    `• Estimated cost: ≈${formatUsd(estimate.usd)} of the ${formatUsd(estimate.maxUsd)} cap${estimate.withinMaxUsd ? '' : ' ⚠️ over the cap'}`,
    `• Today: ${formatUsd(estimate.spentTodayUsd)} spent of ${formatUsd(estimate.dailyUsd)}${estimate.withinDaily ? '' : ' ⚠️ the whole search would pass the daily budget'}`,
    'The search stops before any generation that would pass the cap.',
  ];
  return {
    text: `Evolve plan: ${estimate.runs} runs, ≈${formatUsd(estimate.usd)} of a ${formatUsd(estimate.maxUsd)} cap`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
      ...(fits
        ? [
            {
              type: 'actions' as const,
              block_id: 'evolve_plan_actions',
              elements: [
                {
                  type: 'button' as const,
                  action_id: EVOLVE_ACTION_IDS.confirm,
                  style: 'primary' as const,
                  text: { type: 'plain_text' as const, text: 'Confirm search…' },
                  value: search.id,
                },
              ],
            },
          ]
        : []),
    ],
  };
}
