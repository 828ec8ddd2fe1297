/**
 * Buttons of an evolve search (issue 13), part of ACTION_IDS (their handlers are in `handlers/actions/evolve-*`).
 * value = `${searchId}` unless said otherwise.
 */
export const EVOLVE_ACTION_IDS = {
  /** A succeeded run's result: plan a search from its code. value = `${paperId}:${codeHash}` */
  evolve: 'evolve.start',
  /** The plan: open the confirmation modal. */
  confirm: 'evolve.confirm',
  /** The plan (Cancel, before it is confirmed) and the running search: end after the runs in flight. */
  stop: 'evolve.stop',
  /** End at once: the runs in flight are cancelled. */
  stopNow: 'evolve.stop_now',
  /** The summary: make the best variant the paper's current code version. value = `${searchId}:${variantId}` */
  adopt: 'evolve.adopt',
} as const;
