import type { PaperState } from '../domain/paper-state.js';

/** One short phrase per state, for people: what has happened and who acts next. */
export const STATE_LABELS: Record<PaperState, string> = {
  scraped: 'Scraped, waiting for the judge',
  filtered: 'Filtered out by the keyword pre-filter',
  judge_rejected: 'Turned down by the judge',
  judge_failed: 'Judging failed; it will be retried',
  accepted: 'Accepted by the judge, waiting for someone to ask for code',
  code_requested: 'Code is being generated',
  code_failed: 'Code generation failed, waiting for a person',
  code_ready: 'Code ready, waiting for run approval',
  run_held: 'Run held: over the daily budget, waiting for an approver',
  run_approved: 'Run approved, about to be queued',
  queued: 'Queued for a Trainium instance',
  running: 'Running on Trainium',
  succeeded: 'Run succeeded',
  failed: 'Run failed, waiting for a person',
  rejected: 'Rejected by a person',
};

const STATE_EMOJI: Partial<Record<PaperState, string>> = {
  accepted: ':inbox_tray:',
  code_ready: ':hourglass_flowing_sand:',
  run_held: ':money_with_wings:',
  running: ':runner:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  rejected: ':no_entry_sign:',
  code_failed: ':warning:',
};

export function stateBadge(state: PaperState): string {
  return `${STATE_EMOJI[state] ?? ':small_blue_diamond:'} \`${state}\``;
}
