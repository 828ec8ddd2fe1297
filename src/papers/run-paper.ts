import type { Decision } from '../approvals/decide.js';
import { requestCodegen } from '../codegen/request-codegen.js';
import type { CoreDeps } from '../deps.js';
import type { PaperReference } from '../domain/identifiers.js';
import type { Paper, ThreadRef } from '../domain/paper.js';
import type { PaperState } from '../domain/paper-state.js';
import { describeForUser } from '../errors.js';
import { judgePapers } from '../judge/index.js';
import type { Llm } from '../ports/llm.js';
import { openThreadFor } from '../threads/open-thread.js';
import { showDecisionOnRoot } from '../threads/update-root.js';
import { fetchAndStorePaper } from './fetch-paper.js';
import { describeReference, findPaper } from './find-paper.js';
import {
  alreadyUnderwayAnswer,
  judgeCouldNotScore,
  openedWithPaperRun,
  paperNotAtSource,
} from '../messages/paper-command-answers.js';

export type RunPaperDeps = CoreDeps & { llm: Llm };

/** Where `/paper run` may take a paper: every state before code, including the judge's and a human's "no". */
const RUNNABLE: readonly PaperState[] = [
  'scraped',
  'judge_failed',
  'filtered',
  'judge_rejected',
  'accepted',
  'rejected',
  'code_failed',
];

export type RunPaperOutcome =
  | { kind: 'requested'; paper: Paper; thread: ThreadRef; fetched: boolean; judgeNote?: string }
  | { kind: 'refused'; message: string };

/**
 * `/paper run <id>`: find the paper (fetching it from arXiv or OpenReview if Sherpa has not seen it), judge it
 * if it was never judged (the verdict is shown on the thread root but does not block), open its thread, and
 * request code generation as the person who typed the command.
 */
export async function runPaper(
  deps: RunPaperDeps,
  reference: PaperReference,
  userId: string,
): Promise<RunPaperOutcome> {
  let paper = await findPaper(deps.papers, reference);
  const fetched = !paper;
  paper ??= await fetchAndStorePaper(deps, reference);
  if (!paper)
    return {
      kind: 'refused',
      message: paperNotAtSource(describeReference(reference)),
    };

  let judgeNote: string | undefined;
  if (paper.state === 'scraped' || paper.state === 'judge_failed') {
    const [outcome] = await judgePapers(deps, [paper.id], { batchSize: 1 });
    if (outcome?.kind === 'judge_failed') judgeNote = judgeCouldNotScore(outcome.note);
    if (outcome?.kind === 'deferred') judgeNote = judgeCouldNotScore(describeForUser(outcome.error));
    paper = (await deps.papers.get(paper.id)) ?? paper;
  }
  if (!RUNNABLE.includes(paper.state)) return { kind: 'refused', message: alreadyUnderwayAnswer(paper) };

  const note = openedWithPaperRun(userId);
  const { thread } = await openThreadFor(paper.id, deps, { note });
  const decision: Decision = await requestCodegen(deps, { paperId: paper.id, from: RUNNABLE, actor: userId });
  if (!decision.ok) return { kind: 'refused', message: decision.message };
  await showDecisionOnRoot(deps, decision.paper, decision.audit, note);
  return { kind: 'requested', paper: decision.paper, thread, fetched, ...(judgeNote ? { judgeNote } : {}) };
}
