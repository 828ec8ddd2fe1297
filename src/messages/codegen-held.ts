import { ACTION_IDS } from './action-ids.js';
import type { MessageContent } from './message-content.js';
import { budgetHeldMessage } from './budget-held.js';

export interface CodegenHeldView {
  paperId: string;
  requestedBy: string;
  spentTodayUsd: number;
  estimateUsd: number;
  limitUsd: number;
}

export const CODEGEN_HELD_BLOCK_IDS = {
  actions: 'codegen_held_actions',
  decision: 'codegen_held_decision',
} as const;

/** Over the daily budget: code generation waits for an approver to override (or for a person to ask tomorrow). */
export function codegenHeldMessage(view: CodegenHeldView): MessageContent {
  return budgetHeldMessage(view, {
    title: 'Code generation',
    thisStep: 'this code generation',
    verb: 'generate it',
    actionsBlockId: CODEGEN_HELD_BLOCK_IDS.actions,
    actionId: ACTION_IDS.overrideCodegenBudget,
    buttonLabel: 'Override budget and generate',
    buttonValue: view.paperId,
    confirmSubject: 'Code generation',
  });
}
