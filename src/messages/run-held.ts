import { ACTION_IDS } from './action-ids.js';
import type { MessageContent } from './message-content.js';
import { budgetHeldMessage } from './budget-held.js';

export interface RunHeldView {
  paperId: string;
  codeHash: string;
  requestedBy: string;
  spentTodayUsd: number;
  estimateUsd: number;
  limitUsd: number;
}

export const RUN_HELD_BLOCK_IDS = { actions: 'run_held_actions', decision: 'run_held_decision' } as const;

/** Over the daily budget: the run waits for an approver to override (or for tomorrow, via Re-run). */
export function runHeldMessage(view: RunHeldView): MessageContent {
  return budgetHeldMessage(view, {
    title: 'Run',
    thisStep: 'this run',
    verb: 'run it',
    actionsBlockId: RUN_HELD_BLOCK_IDS.actions,
    actionId: ACTION_IDS.overrideBudget,
    buttonLabel: 'Override budget and run',
    buttonValue: `${view.paperId}:${view.codeHash}`,
    confirmSubject: 'This run',
  });
}
