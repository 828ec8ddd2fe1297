import type { PaperState } from '../domain/paper-state.js';
import type { PaperStore } from '../ports/paper-store.js';
import type { SearchStore } from '../ports/search-store.js';

/**
 * States from which a run can follow within minutes: code being written or waiting for its Run click, a run
 * held for an override, or one on its way. Finished papers are not here: a re-run or a fix starts a new
 * cycle that takes longer than a boot.
 */
export const RUN_SOON_STATES: readonly PaperState[] = [
  'code_requested',
  'code_ready',
  'run_held',
  'run_approved',
  'queued',
  'running',
];

/** A live evolve search (planned, or between and within its generations) will want instances soon too. */
export async function runWorkPending(
  papers: Pick<PaperStore, 'countByState'>,
  searches?: Pick<SearchStore, 'listLive'>,
): Promise<boolean> {
  const counts = await papers.countByState();
  if (RUN_SOON_STATES.some((state) => (counts[state] ?? 0) > 0)) return true;
  return searches ? (await searches.listLive()).length > 0 : false;
}
