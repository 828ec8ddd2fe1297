import type { Paper } from '../domain/paper.js';
import type { FinishedRun } from '../messages/digest-data.js';

/** Runs that ended (succeeded or failed) since the window start, newest first. */
export function finishedRuns(touched: readonly Paper[], windowStart: string): FinishedRun[] {
  const runs: FinishedRun[] = [];
  for (const paper of touched) {
    for (const run of paper.runs) {
      if (run.finishedAt && run.finishedAt >= windowStart) {
        runs.push({ paper: { id: paper.id, title: paper.title, thread: paper.thread }, run });
      }
    }
  }
  return runs.sort((a, b) => (b.run.finishedAt ?? '').localeCompare(a.run.finishedAt ?? ''));
}
