import type { MessageContent } from './message-content.js';
import { formatUsd } from './format-units.js';

/** The figures an over-budget hold shows: what was spent today, what this step would add, and the limit. */
export interface BudgetFigures {
  requestedBy: string;
  spentTodayUsd: number;
  estimateUsd: number;
  limitUsd: number;
}

/** What differs between holding a code generation and holding a run. */
interface HeldStep {
  /** Capitalised step name for the headline: `Code generation`, `Run`. */
  title: string;
  /** The step as the spend sentence names it: `this code generation`, `this run`. */
  thisStep: string;
  /** What the approver's override does: `generate it`, `run it`. */
  verb: string;
  actionsBlockId: string;
  actionId: string;
  buttonLabel: string;
  /** Only ids: the override handler re-checks the approver and the paper's state. */
  buttonValue: string;
  /** The confirm dialog's subject: `Code generation`, `This run`. */
  confirmSubject: string;
}

/** Over the daily budget: a step waits for an approver's explicit override. */
export function budgetHeldMessage(figures: BudgetFigures, step: HeldStep): MessageContent {
  const sums =
    `Today's spend ${formatUsd(figures.spentTodayUsd)} + ${step.thisStep} ≈ ${formatUsd(figures.estimateUsd)} ` +
    `would pass the daily budget of ${formatUsd(figures.limitUsd)} (DAILY_BUDGET_USD).`;
  return {
    text: `${step.title} held: over today's budget. ${sums}`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `⏸️ *${step.title} held: over budget* (asked by <@${figures.requestedBy}>)\n${sums}\nAn approver can ${step.verb} anyway.`,
        },
      },
      {
        type: 'actions',
        block_id: step.actionsBlockId,
        elements: [
          {
            type: 'button',
            action_id: step.actionId,
            text: { type: 'plain_text', text: step.buttonLabel },
            style: 'danger',
            value: step.buttonValue,
            confirm: {
              title: { type: 'plain_text', text: 'Spend past the budget?' },
              text: {
                type: 'plain_text',
                text: `${step.confirmSubject} is expected to cost about ${formatUsd(figures.estimateUsd)} beyond today's budget.`,
              },
              confirm: { type: 'plain_text', text: 'Override' },
              deny: { type: 'plain_text', text: 'Cancel' },
              style: 'danger',
            },
          },
        ],
      },
    ],
  };
}

/** The audit note of a hold (shown on the decision line): the sums, in dollars and cents. */
export function overBudgetNote(
  figures: Pick<BudgetFigures, 'spentTodayUsd' | 'estimateUsd' | 'limitUsd'>,
): string {
  return `over budget: $${figures.spentTodayUsd.toFixed(2)} spent today + ≈$${figures.estimateUsd.toFixed(2)} > $${figures.limitUsd.toFixed(2)}`;
}
