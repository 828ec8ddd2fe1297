import { IllegalTransitionError } from '../errors.js';

/**
 * The life of a paper. Slack is a view of this; every change is a compare-and-set in the PaperStore.
 *
 *   scraped ─► filtered | judge_rejected | accepted | judge_failed
 *   accepted ─► code_requested ─► code_ready ─► run_approved ─► queued ─► running ─► succeeded | failed
 *                     │                │   ╰─► run_held (over budget) ─► run_approved (override)
 *                     ╰► code_failed   ╰─► code_requested (regenerate with feedback)
 *   succeeded | failed ─► run_approved | run_held (re-run, budget-checked) | queued | code_requested (fix)
 *   succeeded ─► code_ready (an evolve search's best variant adopted as a new code version, issue 13)
 *   human gates (accepted, code_failed, code_ready, run_held, failed) ─► rejected
 */
export const PAPER_STATES = [
  'scraped',
  'filtered',
  'judge_rejected',
  'judge_failed',
  'accepted',
  'code_requested',
  'code_failed',
  'code_ready',
  'run_held',
  'run_approved',
  'queued',
  'running',
  'succeeded',
  'failed',
  'rejected',
] as const;

export type PaperState = (typeof PAPER_STATES)[number];

const TRANSITIONS: Record<PaperState, readonly PaperState[]> = {
  scraped: ['filtered', 'judge_rejected', 'accepted', 'judge_failed', 'code_requested'],
  judge_failed: ['filtered', 'judge_rejected', 'accepted', 'judge_failed', 'code_requested'],
  // `/paper run` pushes a paper through even when the judge turned it down: the verdict informs, it does not block.
  filtered: ['accepted', 'code_requested'],
  judge_rejected: ['accepted', 'code_requested'],
  accepted: ['code_requested', 'rejected'],
  code_requested: ['code_ready', 'code_failed'],
  code_failed: ['code_requested', 'rejected'],
  code_ready: ['run_approved', 'run_held', 'code_requested', 'rejected'],
  run_held: ['run_approved', 'rejected'],
  run_approved: ['queued', 'failed'],
  queued: ['running', 'failed'],
  // running → queued: the worker died and the run is resumed from the queue.
  running: ['succeeded', 'failed', 'queued'],
  // Re-run goes through the same approval and budget gate as the first run.
  succeeded: ['queued', 'code_requested', 'run_approved', 'run_held', 'code_ready'],
  failed: ['queued', 'code_requested', 'rejected', 'run_approved', 'run_held'],
  rejected: ['code_requested'],
};

export function canTransition(from: PaperState, to: PaperState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(paperId: string, from: PaperState, to: PaperState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(paperId, from, to);
}

/** States a human is expected to act on (shown as "waiting for approval" in digests and App Home). */
export const AWAITING_HUMAN: readonly PaperState[] = [
  'accepted',
  'code_ready',
  'code_failed',
  'run_held',
  'failed',
];

/** States in which a run occupies or is about to occupy compute. */
export const RUN_IN_FLIGHT: readonly PaperState[] = ['run_approved', 'queued', 'running'];
