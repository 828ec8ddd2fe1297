import type { Button, KnownBlock } from '../domain/block-kit.js';
import { isSearchOver } from '../domain/evolve-search-state.js';
import { smokeGateSeconds } from '../domain/evolve-smoke-gate.js';
import { formatObjective } from '../domain/objective.js';
import type { EvolveSearch } from '../domain/evolve-search.js';
import type { PlanEstimate } from '../domain/evolve-plan-estimate.js';
import { EVOLVE_ACTION_IDS } from './evolve-actions.js';
import { describeSearchState } from './evolve-replies.js';
import { formatUsd } from './format-units.js';
import type { MessageContent } from './message-content.js';

export const EVOLVE_PLAN_BLOCK_ID = 'evolve_plan_actions';

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

/** Says a plan that does not fit will not start, and how to ask for one that does. */
const WILL_NOT_START =
  '⚠️ Over its cap or today’s budget: this plan will not start. Ask `/paper evolve` again with a larger `--max-usd`, fewer variants or generations, or shorter `--minutes`.';

function button(actionId: string, text: string, value: string, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text },
    value,
    ...(style ? { style } : {}),
  };
}

/** Stop now cancels runs that cost money to redo: asked twice. */
function stopNowButton(searchId: string): Button {
  return {
    ...button(EVOLVE_ACTION_IDS.stopNow, 'Stop now', searchId, 'danger'),
    confirm: {
      title: { type: 'plain_text', text: 'Stop the search now?' },
      text: {
        type: 'plain_text',
        text: 'The runs in flight are cancelled and nothing new starts. The leaderboard keeps what finished.',
      },
      confirm: { type: 'plain_text', text: 'Stop now' },
      deny: { type: 'plain_text', text: 'Keep running' },
      style: 'danger',
    },
  };
}

function context(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/**
 * What follows the figures, by the search's state: Confirm and Cancel while it waits for an approver; who
 * confirmed it with Stop and Stop now while it runs; how it ended once it has.
 */
function footer(search: EvolveSearch, fits: boolean): KnownBlock[] {
  const actions = (elements: Button[]): KnownBlock => ({
    type: 'actions',
    block_id: EVOLVE_PLAN_BLOCK_ID,
    elements,
  });
  if (search.state === 'planned') {
    if (!fits) return [context(WILL_NOT_START)];
    return [
      actions([
        button(EVOLVE_ACTION_IDS.confirm, 'Confirm search…', search.id, 'primary'),
        button(EVOLVE_ACTION_IDS.stop, 'Cancel', search.id),
      ]),
    ];
  }
  if (!search.confirmedBy) {
    if (search.stop) return [context(`🚫 Cancelled by <@${search.stop.by}>; nothing ran.`)];
    return [context(WILL_NOT_START)];
  }
  const confirmed = `✅ Confirmed by <@${search.confirmedBy}>`;
  if (isSearchOver(search.state)) return [context(`${confirmed} · ended: ${describeSearchState(search)}`)];
  if (search.stop?.mode === 'now') return [context(`${confirmed} · ⏹️ stopping now (<@${search.stop.by}>)`)];
  if (search.stop)
    return [
      context(`${confirmed} · 🛑 stopping after the runs in flight (<@${search.stop.by}>)`),
      actions([stopNowButton(search.id)]),
    ];
  return [
    // Not the state: this message is not updated at every step (the leaderboard is); it would go stale.
    context(`${confirmed} · the leaderboard in this thread follows the search`),
    actions([button(EVOLVE_ACTION_IDS.stop, 'Stop', search.id), stopNowButton(search.id)]),
  ];
}

/**
 * The plan posted in the thread before anything runs (issue 13, item 1): runs, instance minutes, tokens and the
 * estimated cost against --max-usd and the daily budget. One approver confirms it (the modal); a plan over
 * either limit says so and has no Confirm button. The same message, rebuilt from the search, shows who
 * confirmed it and carries Stop and Stop now while the search runs.
 */
export function evolvePlanMessage(search: EvolveSearch, estimate: PlanFigures): MessageContent {
  const s = search.settings;
  const fits = estimate.withinMaxUsd && estimate.withinDaily;
  const lines = [
    `🧬 *Evolve plan* (asked by <@${search.requestedBy}>): ${s.generations} generations × ${s.variants} variants, ${s.minutes} min each, objective *${formatObjective(s.objective)}*, target ${s.target}`,
    `• Runs: ${estimate.runs} (${s.variants} variants + 1 parent re-run per generation${s.startRepeats ? `, ${s.startRepeats} repeats of the original first` : ''}); a variant's smoke stage is its run's first ${smokeGateSeconds(search, s.target)} s (its compile not counted): one that has not printed \`${s.objective.metric}\` by then is stopped there`,
    `• Instance time: ≈${Math.round(estimate.instanceMinutes)} min · model: ${estimate.llmCalls} calls, ≈${Math.round(estimate.tokens / 1000)}k tokens`,
    `• Estimated cost: ≈${formatUsd(estimate.usd)} of the ${formatUsd(estimate.maxUsd)} cap${estimate.withinMaxUsd ? '' : ' ⚠️ over the cap'}`,
    `• Today: ${formatUsd(estimate.spentTodayUsd)} spent of ${formatUsd(estimate.dailyUsd)}${estimate.withinDaily ? '' : ' ⚠️ the whole search would pass the daily budget'}`,
    'The search stops before any generation that would pass the cap.',
  ];
  return {
    text: `Evolve plan: ${estimate.runs} runs, ≈${formatUsd(estimate.usd)} of a ${formatUsd(estimate.maxUsd)} cap`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }, ...footer(search, fits)],
  };
}
