import type { Paper } from '../../src/domain/paper.js';
import type { RunRecord } from '../../src/domain/run-record.js';
import type { RunMessageKind, RunReporter } from '../../src/runs/run-reporter.js';
import type { RunHeldView } from '../../src/messages/run-held.js';
import type { RunStage } from '../../src/messages/run-progress.js';
import type { RunResultView } from '../../src/messages/run-result.js';

/** A RunReporter that keeps what it was asked to show, for tests and the scheduling benchmark. */
export class RecordingReporter implements RunReporter {
  readonly stages: { runId: string; stage: RunStage }[] = [];
  readonly heldViews: RunHeldView[] = [];
  readonly results: { view: RunResultView; plot?: { png: Buffer; title: string }; ts: string }[] = [];
  readonly notices: string[] = [];
  private nextTs = 1;

  async progress(_paper: Paper, run: RunRecord, stage: RunStage): Promise<string | undefined> {
    this.stages.push({ runId: run.runId, stage });
    return run.progressTs ?? this.newTs();
  }

  async held(_paper: Paper, view: RunHeldView): Promise<void> {
    this.heldViews.push(view);
  }

  async finished(
    _paper: Paper,
    view: RunResultView,
    plot?: { png: Buffer; title: string },
  ): Promise<string | undefined> {
    const ts = this.newTs();
    this.results.push({ view, ...(plot ? { plot } : {}), ts });
    return ts;
  }

  async finishedPlain(paper: Paper, view: RunResultView): Promise<string | undefined> {
    return this.finished(paper, view);
  }

  /** The recorded thread is the truth here: a result "posted" is found again, as Slack's metadata would find it. */
  async findPosted(_paper: Paper, runId: string, kind: RunMessageKind): Promise<string | undefined> {
    if (kind === 'result') return this.results.find((entry) => entry.view.runId === runId)?.ts;
    return undefined;
  }

  private newTs(): string {
    return `1700000000.${String(this.nextTs++).padStart(6, '0')}`;
  }

  async notify(text: string): Promise<void> {
    this.notices.push(text);
  }

  stagesOf(runId: string): string[] {
    return this.stages.filter((entry) => entry.runId === runId).map((entry) => entry.stage.stage);
  }
}
