/**
 * Buttons of an evolve search (issue 13). Kept apart from ACTION_IDS until their handlers are registered: an
 * id there without a handler would be answered as known and then dropped. value = `${searchId}`.
 */
export const EVOLVE_ACTION_IDS = {
  /** A succeeded run's result: plan a search from its code. value = `${paperId}:${codeHash}` */
  evolve: 'evolve.start',
  /** The plan: open the confirmation modal. */
  confirm: 'evolve.confirm',
  stop: 'evolve.stop',
  stopNow: 'evolve.stop_now',
  /** The summary: make the best variant the paper's current code version. value = `${searchId}:${variantId}` */
  adopt: 'evolve.adopt',
} as const;
