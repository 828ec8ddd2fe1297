import type { CodegenJob } from '../domain/jobs.js';
import type { CommittedTransition, QueueMessage } from '../ports/paper-store.js';

/**
 * One queue message per request: the n-th transition into `code_requested` of a paper is request n, whoever
 * made it (a click, a fix round), so a re-send of the same request (the sweeps) is recognised as a duplicate.
 */
export function codegenDedupeId(paperId: string, requestNumber: number): string {
  return `codegen:${paperId}:${requestNumber}`;
}

/** What a code request puts on the codegen queue, beyond the paper and the requester. */
export interface CodegenExtras {
  feedback?: string;
  fixOfRunId?: string;
  /** A port to the other backend; absent: the backend of the version being replaced. */
  backend?: 'neuron' | 'cuda';
}

/** The job caused by request number `requestNumber` of a paper. */
export function codegenMessage(
  paperId: string,
  requestedBy: string,
  requestNumber: number,
  extras: CodegenExtras = {},
): QueueMessage<CodegenJob> {
  return {
    body: {
      paperId,
      requestedBy,
      ...(extras.feedback ? { feedback: extras.feedback } : {}),
      ...(extras.fixOfRunId ? { fixOfRunId: extras.fixOfRunId } : {}),
      ...(extras.backend ? { backend: extras.backend } : {}),
    },
    options: { dedupeId: codegenDedupeId(paperId, requestNumber), groupId: paperId },
  };
}

/** The job of a transition into `code_requested`, for an outbox to commit with it. */
export function codegenMessageOf(extras: CodegenExtras) {
  return (committed: CommittedTransition): QueueMessage<CodegenJob> =>
    codegenMessage(committed.paper.id, committed.audit.actor, committed.entryNumber, extras);
}
