import { EVOLVE_ACTION_IDS } from './evolve-actions.js';

/**
 * Every interactive element Sherpa posts, in one table. Buttons carry only ids (a paper id, a code hash, a
 * run id) in their `value`; authority is always re-checked against APPROVERS and the paper's current state.
 * An action id not in this table is a stale or forged interaction and gets a polite ephemeral answer.
 */
export const ACTION_IDS = {
  /** Thread root: ask Claude for code. value = paperId */
  generateCode: 'paper.generate_code',
  /** Thread root: reject the paper (opens the reason modal). value = paperId */
  rejectPaper: 'paper.reject',
  /** Code step: run this exact code version. value = `${paperId}:${codeHash}`, plus `:${backend}` when both
   * backends are configured (issue 12, item 5), so a click cannot run the code on the other hardware. */
  runCode: 'code.run',
  /** Code step: ask Claude for this paper on the other backend. value = `${paperId}:${codeHash}:${backend}` */
  portCode: 'code.port',
  /** Code step: regenerate with feedback (opens a modal). value = paperId */
  regenerateCode: 'code.regenerate',
  /** Code step: reject the code. value = `${paperId}:${codeHash}` */
  rejectCode: 'code.reject',
  /** Failed run: ask Claude to fix it. value = `${paperId}:${runId}` */
  fixRun: 'run.fix',
  /** Finished run: run the same code again. value = `${paperId}:${codeHash}` */
  rerun: 'run.rerun',
  /** Over-budget hold: approver overrides today's budget. value = `${paperId}:${codeHash}` */
  overrideBudget: 'run.override_budget',
  /** Over-budget code generation hold: approver generates anyway. value = paperId */
  overrideCodegenBudget: 'codegen.override_budget',
  /** A failed LLM step: try again. value = `${paperId}:${step}` */
  retryStep: 'step.retry',
  /** Digest: open a thread for a paper that did not get one. value = paperId */
  openThread: 'digest.open_thread',
  /** Links that are plain URL buttons still send an action; acknowledged and ignored. */
  openLink: 'link.open',
  /** An evolve search's buttons (issue 13); their values are documented in `evolve-actions.ts`. */
  evolveStart: EVOLVE_ACTION_IDS.evolve,
  evolveConfirm: EVOLVE_ACTION_IDS.confirm,
  evolveStop: EVOLVE_ACTION_IDS.stop,
  evolveStopNow: EVOLVE_ACTION_IDS.stopNow,
  evolveAdopt: EVOLVE_ACTION_IDS.adopt,
} as const;

export const VIEW_IDS = {
  rejectReason: 'paper.reject_reason',
  rejectCodeReason: 'code.reject_reason',
  regenerateFeedback: 'code.regenerate_feedback',
  /** The evolve plan's confirmation (issue 13, item 1). */
  evolveConfirm: 'evolve.confirm_plan',
} as const;

export type ActionId = (typeof ACTION_IDS)[keyof typeof ACTION_IDS];
export const KNOWN_ACTION_IDS: ReadonlySet<string> = new Set(Object.values(ACTION_IDS));
export const KNOWN_VIEW_IDS: ReadonlySet<string> = new Set(Object.values(VIEW_IDS));
