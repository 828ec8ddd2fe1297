import type { Paper } from '../domain/paper.js';
import type { RunRecord } from '../domain/run-record.js';
import type { Clock } from '../ports/clock.js';
import type { PaperStore } from '../ports/paper-store.js';
import type { ReadyStep } from '../ports/compute.js';
import type { RunStage } from '../messages/run-progress.js';
import { formatDuration } from '../messages/format-units.js';
import { updateRun } from './run-records.js';
import type { RunReporter } from './run-reporter.js';

/** What each step of bringing an instance up looks like in the progress message. */
export function stageOfStep(step: ReadyStep): RunStage {
  switch (step.step) {
    case 'waiting_for_stop':
      return {
        stage: 'starting_instance',
        instanceId: step.instanceId,
        detail: 'waiting for its last stop to finish before starting it',
      };
    case 'starting':
      return { stage: 'starting_instance', instanceId: step.instanceId, detail: 'starting the instance' };
    case 'capacity_retry':
      return {
        stage: 'capacity_retry',
        instanceId: step.instanceId,
        attempt: step.attempt,
        retryInSeconds: step.retryInSeconds,
      };
    case 'waiting_for_running':
      return {
        stage: 'starting_instance',
        instanceId: step.instanceId,
        detail: `booting (${formatDuration(step.elapsedSeconds)} so far)`,
      };
    case 'waiting_for_agent':
      return { stage: 'waiting_for_agent', instanceId: step.instanceId, elapsedSeconds: step.elapsedSeconds };
    case 'ready':
      return { stage: 'running', instanceId: step.instanceId, elapsedSeconds: 0, phase: 'sending the job' };
  }
}

/**
 * Keeps the run's one progress message current without flooding Slack: a new kind of stage is shown at
 * once, repeats of the same kind at most every `minIntervalMs` (chat.update is Tier 3).
 */
export class ProgressTracker {
  private lastKind: string | undefined;
  private lastAtMs = 0;

  constructor(
    private readonly deps: { papers: PaperStore; reporter: RunReporter; clock: Clock },
    private paper: Paper,
    private run: RunRecord,
    private readonly minIntervalMs = 30_000,
  ) {}

  async show(stage: RunStage, force = false): Promise<void> {
    const nowMs = this.deps.clock.now().getTime();
    const kind =
      stage.stage === 'starting_instance' ? `${stage.stage}:${stage.detail.split(' (')[0]}` : stage.stage;
    if (!force && kind === this.lastKind && nowMs - this.lastAtMs < this.minIntervalMs) return;
    this.lastKind = kind;
    this.lastAtMs = nowMs;
    const ts = await this.deps.reporter.progress(this.paper, this.run, stage);
    if (ts && ts !== this.run.progressTs) {
      this.run = { ...this.run, progressTs: ts };
      await updateRun(this.deps.papers, this.paper.id, this.run.runId, { progressTs: ts });
    }
  }

  /** Keep the paper and run the tracker posts for in step with the store (the ts survives either way). */
  refresh(paper: Paper, run: RunRecord): void {
    this.paper = paper;
    this.run = { ...run, progressTs: run.progressTs ?? this.run.progressTs };
  }
}
