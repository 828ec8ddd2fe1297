import type { Paper } from '../domain/paper.js';
import type { RunRecord } from '../domain/run-record.js';
import type { RunHeldView } from '../messages/run-held.js';
import type { RunStage } from '../messages/run-progress.js';
import type { RunResultView } from '../messages/run-result.js';

/** The two messages a run keeps in its thread, each findable again by the run id it carries (metadata). */
export type RunMessageKind = 'progress' | 'result';

/**
 * How a run shows itself in its paper's thread. The Slack implementation posts and updates messages; the
 * scheduling benchmark passes one that only counts. Reporting never decides a run's outcome: progress failures
 * are logged, and the result message goes through the outbox (`post-run-result.ts`), which retries a transient
 * failure and never turns a Slack error into a run failure.
 */
export interface RunReporter {
  /**
   * Post the run's progress message, or update it in place when `run.progressTs` is set (or when one posted
   * earlier is found by its metadata). Returns its ts. Never throws.
   */
  progress(paper: Paper, run: RunRecord, stage: RunStage): Promise<string | undefined>;
  held(paper: Paper, view: RunHeldView): Promise<void>;
  /**
   * The final message (carrying the run id in its metadata), then the loss-curve image when there is one.
   * Returns the message's ts. Throws a classified error (transient or permanent) when the message is not posted.
   */
  finished(
    paper: Paper,
    view: RunResultView,
    plot?: { png: Buffer; title: string },
  ): Promise<string | undefined>;
  /** The outcome in one plain line, for when Slack refused the full message (a permanent error). Throws like `finished`. */
  finishedPlain(paper: Paper, view: RunResultView): Promise<string | undefined>;
  /** The ts of this run's message of this kind, if one was posted; throws when Slack cannot be asked. */
  findPosted(paper: Paper, runId: string, kind: RunMessageKind): Promise<string | undefined>;
  /** A line for the channel (not a thread), e.g. "stopped an idle instance". */
  notify(text: string): Promise<void>;
}
