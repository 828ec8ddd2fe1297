import { PAPER_STATES, type PaperState } from './paper-state.js';
import type { Paper } from './paper.js';
import type { RunRecord } from './run-record.js';

/**
 * What the digest reports of its window (the 24 hours before it): per source, papers scraped and verdicts given,
 * and the runs that finished. Computed where the papers are (the paper store's `activitySince`), so the event
 * loop that acks Slack receives these few lines instead of every paper touched in the window (issue 14, item 3).
 */
export interface WindowActivity {
  sources: SourceActivity[];
  finishedRuns: FinishedRun[];
}

/** What one source brought in during the digest's window. */
export interface SourceActivity {
  source: string;
  scraped: number;
  /** Papers Claude judged (an LLM verdict), and how many of those it accepted. */
  judged: number;
  accepted: number;
  /** Papers the local keyword pre-filter dropped without an LLM call. */
  filtered: number;
}

export interface FinishedRun {
  paper: Pick<Paper, 'id' | 'title' | 'thread'>;
  run: RunRecord;
}

/** What `sourceActivity` reads of a paper: none of it is filled in by a schema default. */
export type CountedPaper = Pick<Paper, 'source' | 'state' | 'verdict'>;

/** Every state a paper can be in once the judge (or the pre-filter) has seen it. */
export const AFTER_JUDGING: readonly PaperState[] = PAPER_STATES.filter((state) => state !== 'scraped');

/** The window's activity from the papers created since its start (per source) and those updated since then. */
export function windowActivityOf(
  created: Record<string, number>,
  touched: readonly Paper[],
  windowStart: string,
): WindowActivity {
  return {
    sources: sourceActivity(created, touched, windowStart),
    finishedRuns: finishedRuns(touched, windowStart),
  };
}

/**
 * Per source: papers created since the window start (the store's count), and the verdicts given since then,
 * split into Claude's (`llm`) and the keyword pre-filter's. A verdict's time, not the paper's last update,
 * decides whether it counts, so a paper judged last week and touched today is not counted again.
 */
export function sourceActivity(
  created: Record<string, number>,
  touched: readonly CountedPaper[],
  windowStart: string,
): SourceActivity[] {
  const bySource = new Map<string, SourceActivity>();
  const entry = (source: string) => {
    let activity = bySource.get(source);
    if (!activity) {
      activity = { source, scraped: 0, judged: 0, accepted: 0, filtered: 0 };
      bySource.set(source, activity);
    }
    return activity;
  };
  for (const [source, count] of Object.entries(created)) entry(source).scraped += count;
  for (const paper of touched) {
    const verdict = paper.verdict;
    if (!verdict || verdict.judgedAt < windowStart) continue;
    const activity = entry(paper.source);
    if (verdict.decidedBy === 'prefilter') {
      activity.filtered += 1;
      continue;
    }
    activity.judged += 1;
    if (paper.state !== 'judge_rejected') activity.accepted += 1;
  }
  return [...bySource.values()]
    .filter((a) => a.scraped + a.judged + a.filtered > 0)
    .sort((a, b) => b.scraped - a.scraped || a.source.localeCompare(b.source));
}

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
