import type { Paper } from '../domain/paper.js';
import type { PaperState } from '../domain/paper-state.js';
import type { RunRecord } from '../domain/run-record.js';
import type { PaperStore, TransitionRequest, TransitionResult } from '../ports/paper-store.js';

export function findRun(paper: Paper, runId: string): RunRecord | undefined {
  return paper.runs.find((run) => run.runId === runId);
}

/** The paper's runs with one of them changed (or added at the end when it is new). */
export function runsWith(paper: Paper, run: RunRecord): RunRecord[] {
  const index = paper.runs.findIndex((existing) => existing.runId === run.runId);
  if (index < 0) return [...paper.runs, run];
  return paper.runs.map((existing, i) => (i === index ? run : existing));
}

const MAX_CAS_ATTEMPTS = 8;

/**
 * Patch one run record under a version check, re-reading on a conflict: the handler that posted the progress
 * message and the worker that runs the code both write the same paper's `runs`.
 */
export async function updateRun(
  papers: PaperStore,
  paperId: string,
  runId: string,
  patch: Partial<RunRecord>,
): Promise<Paper | undefined> {
  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt += 1) {
    const paper = await papers.get(paperId);
    const run = paper && findRun(paper, runId);
    if (!paper || !run) return undefined;
    const updated = await papers.update(
      paperId,
      { runs: runsWith(paper, { ...run, ...patch }) },
      { ifVersion: paper.version },
    );
    if (updated) return updated;
  }
  return undefined;
}

/**
 * Move the paper's state and patch a run record in one compare-and-set. A conflict caused only by another
 * write to the record (the paper is still in one of `from`) is retried; a real state change is returned.
 */
export async function transitionWithRun(
  papers: PaperStore,
  request: {
    paperId: string;
    from: readonly PaperState[];
    to: PaperState;
    actor: string;
    runId: string;
    runPatch: Partial<RunRecord>;
    note?: string;
    artifactHash?: string;
    extraPatch?: { fixRounds?: number; lastNote?: string };
  },
  /** How each compare-and-set is written: the store's `transition`, or an outbox's that also enqueues a job. */
  commit: (request: TransitionRequest) => Promise<TransitionResult> = (r) => papers.transition(r),
): Promise<TransitionResult> {
  for (let attempt = 0; ; attempt += 1) {
    const paper = await papers.get(request.paperId);
    if (!paper) return { ok: false, reason: 'not_found' };
    const run = findRun(paper, request.runId);
    const runs = run ? runsWith(paper, { ...run, ...request.runPatch }) : paper.runs;
    const result = await commit({
      paperId: request.paperId,
      from: request.from,
      to: request.to,
      actor: request.actor,
      ifVersion: paper.version,
      patch: { runs, ...request.extraPatch },
      ...(request.note ? { note: request.note } : {}),
      ...(request.artifactHash ? { artifactHash: request.artifactHash } : {}),
    });
    if (result.ok || result.reason === 'not_found') return result;
    if (!request.from.includes(result.paper.state) || attempt >= MAX_CAS_ATTEMPTS) return result;
  }
}
