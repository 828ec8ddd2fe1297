import { PermanentError } from '../errors.js';

/**
 * The life of an evolve search (issue 13, item 7). Like a paper, every change is a compare-and-set on the
 * search's version in the store, so a crash resumes at the step where it stopped and two workers never both
 * make the same move.
 *
 *   planned ─► confirmed ─► proposing(k) ─► running(k) ─► judged(k) ─► proposing(k+1) …
 *                 │              ╰───────────────────────────────► judged(k) (nothing survived the checks)
 *                 ╰► capped                            judged(M) ─► finished
 *   judged(k) ─► capped: the next generation's estimate would pass --max-usd or the daily budget.
 *   any state but the three ends ─► stopped (Stop, Stop now, or the plan declined).
 *
 * `smoke(k)` (between proposing and running) is kept only for searches stored before the smoke gate, when each
 * child had a separate smoke run first: such a search resumes there, its sent smoke runs are followed to their
 * end, and it moves on to running(k). No search enters it any more: a child's smoke stage is now the first
 * seconds of its one run (the runner's smoke gate), so a generation has one phase of runs.
 */
export const SEARCH_STATES = [
  'planned',
  'confirmed',
  'proposing',
  'smoke',
  'running',
  'judged',
  'finished',
  'stopped',
  'capped',
] as const;
export type SearchState = (typeof SEARCH_STATES)[number];

export const SEARCH_ENDS: readonly SearchState[] = ['finished', 'stopped', 'capped'];

const TRANSITIONS: Record<SearchState, readonly SearchState[]> = {
  planned: ['confirmed', 'stopped'],
  confirmed: ['proposing', 'capped', 'stopped'],
  proposing: ['running', 'judged', 'stopped'],
  smoke: ['running', 'stopped'],
  running: ['judged', 'stopped'],
  judged: ['proposing', 'finished', 'capped', 'stopped'],
  finished: [],
  stopped: [],
  capped: [],
};

export function canMoveSearch(from: SearchState, to: SearchState): boolean {
  return TRANSITIONS[from].includes(to);
}

export class IllegalSearchTransitionError extends PermanentError {
  constructor(searchId: string, from: SearchState, to: SearchState) {
    super(`Search ${searchId} cannot move from ${from} to ${to}`, { context: { searchId, from, to } });
  }
}

export function assertSearchMove(searchId: string, from: SearchState, to: SearchState): void {
  if (!canMoveSearch(from, to)) throw new IllegalSearchTransitionError(searchId, from, to);
}

export function isSearchOver(state: SearchState): boolean {
  return SEARCH_ENDS.includes(state);
}
