import type { Logger } from '../logging/logger.js';
import type { AuditEntry, Paper } from '../domain/paper.js';
import type { PaperStore, TransitionRequest, TransitionResult } from '../ports/paper-store.js';
import { alreadyDecidedAnswer, paperNotInStore } from '../messages/click-replies.js';

export type Decision =
  | { ok: true; paper: Paper; audit: AuditEntry }
  /** Someone (or something) got there first; `message` says who and when, for an ephemeral reply. */
  | { ok: false; paper: Paper | undefined; message: string };

/**
 * Apply a human decision as one compare-and-set on the paper's state. Double clicks, two approvers at once
 * and redelivered envelopes all reach here; exactly one wins, and every loser learns who decided and when
 * from the audit entry of the winning transition.
 */
export async function decide(
  deps: { papers: PaperStore; logger: Logger },
  request: TransitionRequest,
  /** How the compare-and-set is written: the store's `transition`, or an outbox's that also enqueues its job. */
  transition: (request: TransitionRequest) => Promise<TransitionResult> = (r) => deps.papers.transition(r),
): Promise<Decision> {
  const result = await transition(request);
  if (result.ok) {
    deps.logger.info(
      { paperId: request.paperId, actor: request.actor, from: result.audit.from, to: result.audit.to },
      'decision applied',
    );
    return result;
  }
  if (result.reason === 'not_found') {
    return {
      ok: false,
      paper: undefined,
      message: paperNotInStore(request.paperId),
    };
  }
  deps.logger.info(
    { paperId: request.paperId, actor: request.actor, state: result.paper.state, wanted: request.to },
    'decision lost the race or came too late',
  );
  return { ok: false, paper: result.paper, message: alreadyDecidedAnswer(result.paper, result.lastAudit) };
}

/**
 * For a click that arrives after the paper left the state its button was for: the same answer a lost
 * compare-and-set gets, without trying one (used before opening a modal, which would otherwise be wasted).
 */
export async function alreadyDecided(deps: { papers: PaperStore }, paper: Paper): Promise<string> {
  return alreadyDecidedAnswer(paper, (await deps.papers.audit(paper.id)).at(-1));
}
