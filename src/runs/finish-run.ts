import type { Config } from '../config/load-config.js';
import type { Paper } from '../domain/paper.js';
import type { RunRecord } from '../domain/run-record.js';
import type { Logger } from '../logging/logger.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { CostLedger } from '../ports/cost-ledger.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import type { PaperStore } from '../ports/paper-store.js';
import {
  containmentUnconfirmed,
  headlineOf,
  runCost,
  runResultView,
  type RunEnding,
} from './final-report.js';
import type { ProgressTracker } from './progress-tracker.js';
import { runKeys, type RunLocation } from '../domain/run-keys.js';
import { transitionWithRun } from './run-records.js';
import type { RunReporter } from './run-reporter.js';
import { postRunResult, recordOutcome } from './run-result-outbox.js';

export interface FinishDeps {
  papers: PaperStore;
  /** Holds the result outbox (`run-result-outbox.ts`). */
  coordination: CoordinationStore;
  blobs: BlobStore;
  ledger: CostLedger;
  clock: Clock;
  logger: Logger;
  reporter: RunReporter;
  config: Pick<Config, 'aws' | 'codegen'>;
  compute: { hourlyPriceUsd: number; instanceIds: readonly string[] };
}

/**
 * Record the outcome (in the result outbox first, then on the paper: succeeded | failed, with the run's headline
 * or failure class), then tell the thread: the progress message's last state, and the result message through
 * the outbox. A transient failure to post is thrown after the outcome is stored: the caller releases the
 * message and the next delivery posts the result; nothing about Slack changes the outcome.
 */
export async function finishRun(
  deps: FinishDeps,
  input: {
    paper: Paper;
    run: RunRecord;
    ending: RunEnding;
    instanceSeconds: number;
    tracker: ProgressTracker;
    /** Where the run's files are; absent when it never reached an instance. */
    location?: RunLocation;
  },
): Promise<void> {
  const { run, ending } = input;
  const log = deps.logger.child({ paperId: input.paper.id, runId: run.runId });
  const result = ending.kind === 'result' ? ending.result : undefined;
  const startedMs = run.startedAt ? new Date(run.startedAt).getTime() : undefined;
  const wallSeconds = startedMs ? (deps.clock.now().getTime() - startedMs) / 1000 : undefined;
  const cost = await runCost(deps, input.paper.id, {
    seconds: input.instanceSeconds,
    hourlyPriceUsd: deps.compute.hourlyPriceUsd,
    instanceIds: deps.compute.instanceIds,
  });
  const resultKey = result && input.location ? runKeys(input.location).result : undefined;
  // An untrusted result (containment unconfirmed) is kept for inspection but drawn and summarised nowhere.
  const trusted = result && !containmentUnconfirmed(result) ? result : undefined;
  const entry = await recordOutcome(deps, {
    paperId: input.paper.id,
    view: runResultView(deps, {
      ...input,
      cost,
      ...(wallSeconds !== undefined ? { durationSeconds: wallSeconds } : {}),
    }),
    ...(resultKey && trusted ? { resultKey } : {}),
  });
  // The outcome recorded first is the run's one outcome, whoever records the paper's move.
  const view = entry.view;
  const headline = trusted && view.status === 'succeeded' ? headlineOf(trusted) : undefined;
  const moved = await transitionWithRun(deps.papers, {
    paperId: input.paper.id,
    from: view.status === 'succeeded' ? ['running'] : ['running', 'queued', 'run_approved'],
    to: view.status,
    actor: 'system:run-worker',
    runId: run.runId,
    artifactHash: run.codeHash,
    runPatch: {
      status: view.status,
      finishedAt: deps.clock.now().toISOString(),
      ...(view.failure ? { failureClass: view.failure.class } : {}),
      ...(resultKey ? { resultKey } : {}),
      ...(headline ? { headline } : {}),
      ...(trusted?.execution ? { execution: trusted.execution } : {}),
    },
    ...(view.failure
      ? { extraPatch: { lastNote: `${view.failure.class}: ${view.failure.message}`.slice(0, 500) } }
      : {}),
  });
  if (!moved.ok) log.warn({ reason: moved.reason }, 'run finished but the paper had moved on');
  log.info({ status: view.status, failureClass: view.failure?.class }, 'run finished');

  await input.tracker.show(
    {
      stage: 'finished',
      status: view.status,
      ...(view.durationSeconds !== undefined ? { durationSeconds: view.durationSeconds } : {}),
    },
    true,
  );
  await postRunResult(deps, run.runId);
}
