import { decide } from '../approvals/decide.js';
import { codegenMessage, codegenMessageOf } from '../codegen/codegen-message.js';
import { latestRequestNumber } from '../codegen/request-codegen.js';
import type { Config } from '../config/load-config.js';
import type { CodegenJob } from '../domain/jobs.js';
import type { Logger } from '../logging/logger.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { PaperStore } from '../ports/paper-store.js';
import type { WorkQueue } from '../ports/work-queue.js';
import { failureOf, isInfrastructureFailure } from './final-report.js';
import { readResultAt } from '../runner/read-run-files.js';
import { findRun } from './run-records.js';
import {
  infrastructureFailureNotFixable,
  NEWER_RUN_EXISTS,
  noFixRoundsLeft,
  RUN_GONE,
} from '../messages/click-replies.js';

export interface RequestFixDeps {
  papers: PaperStore;
  blobs: BlobStore;
  codegenQueue: WorkQueue<CodegenJob>;
  config: Pick<Config, 'codegen'>;
  logger: Logger;
}

export type FixOutcome = { kind: 'requested'; round: number } | { kind: 'refused'; message: string };

const FEEDBACK_CHARS = 6_000;

/** The audit note of a fix round; the sweeps read the run back from it to rebuild the job. */
export const fixNote = (round: number, maxRounds: number, runId: string) =>
  `fix ${round}/${maxRounds} for run ${runId}`;

export function fixedRunOf(note: string | undefined): string | undefined {
  return /^fix \d+\/\d+ for run (\S+)$/.exec(note ?? '')?.[1];
}

/** What Claude gets to fix: the failure class, its message, and the last relevant log lines. */
export async function failureFeedback(
  blobs: BlobStore,
  run: { runId: string; resultKey?: string },
  fallback: string | undefined,
): Promise<string> {
  const runId = run.runId;
  const result = run.resultKey
    ? await readResultAt(blobs, run.resultKey, runId).catch(() => undefined)
    : undefined;
  const failure = result ? failureOf({ kind: 'result', result }) : undefined;
  if (!failure) return `The run ${runId} failed: ${fallback ?? 'no details were recorded'}.`;
  const code = failure.code ? ` (${failure.code})` : '';
  const text =
    `The run ${runId} on Trainium failed: ${failure.class}${code}: ${failure.message}\n` +
    `Last log lines:\n${failure.logLines.join('\n')}`;
  return text.length > FEEDBACK_CHARS ? `…${text.slice(-FEEDBACK_CHARS)}` : text;
}

/**
 * "Ask Claude to fix": the failed run's error goes back to code generation as feedback, and the fixed code
 * returns as a new version that needs its own approval. At most `MAX_FIX_ROUNDS` per paper.
 */
export async function requestFix(
  deps: RequestFixDeps,
  request: { paperId: string; runId: string; userId: string },
): Promise<FixOutcome> {
  const paper = await deps.papers.get(request.paperId);
  const run = paper && findRun(paper, request.runId);
  if (!paper || !run) return { kind: 'refused', message: RUN_GONE };
  if (paper.runs[paper.runs.length - 1]?.runId !== run.runId) {
    return { kind: 'refused', message: NEWER_RUN_EXISTS };
  }
  if (isInfrastructureFailure(run.failureClass)) {
    return {
      kind: 'refused',
      message: infrastructureFailureNotFixable(run.failureClass),
    };
  }
  const maxRounds = deps.config.codegen.maxFixRounds;
  if (paper.fixRounds >= maxRounds) {
    return {
      kind: 'refused',
      message: noFixRoundsLeft(maxRounds),
    };
  }
  const feedback = await failureFeedback(deps.blobs, run, paper.lastNote);
  const round = paper.fixRounds + 1;
  // Embedded, the round and its job are one commit; otherwise the job follows, and the sweeps close the gap.
  const extras = { feedback, fixOfRunId: run.runId };
  const outbox = deps.papers.outboxFor?.(deps.codegenQueue);
  const decision = await decide(
    deps,
    {
      paperId: paper.id,
      from: 'failed',
      to: 'code_requested',
      actor: request.userId,
      artifactHash: run.codeHash,
      note: fixNote(round, maxRounds, run.runId),
      patch: { fixRounds: round },
    },
    outbox && ((transition) => outbox.transition(transition, codegenMessageOf(extras))),
  );
  if (!decision.ok) return { kind: 'refused', message: decision.message };
  if (!outbox) {
    const requestNumber = await latestRequestNumber(deps, paper.id);
    const { body, options } = codegenMessage(paper.id, request.userId, requestNumber, extras);
    await deps.codegenQueue.send(body, options);
  }
  deps.logger.info({ paperId: paper.id, runId: run.runId, round }, 'fix requested');
  return { kind: 'requested', round };
}
