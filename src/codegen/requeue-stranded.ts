import type { CoreDeps } from '../deps.js';
import type { AuditEntry, Paper } from '../domain/paper.js';
import { failureFeedback, fixedRunOf } from '../runs/request-fix.js';
import { findRun } from '../runs/run-records.js';
import { codegenMessage, type CodegenExtras } from './codegen-message.js';

/**
 * Papers in `code_requested` whose job never reached the queue (a crash between the transition and the send,
 * possible where the store has no outbox onto the queue: SQS) would wait forever. At worker start and then
 * periodically, each gets its job again under the same dedupe id, rebuilt from the audit entry of its request
 * (request n of a paper has the dedupe id `codegen:<paper>:<n>`; a fix round's feedback is rebuilt from its
 * run): the embedded queue drops a true duplicate, SQS drops one within its five-minute window, and the worker's
 * processed-key record (`src/queue/processed-keys.ts`) drops one beyond it.
 */
export async function requeueStrandedCodegen(
  deps: Pick<CoreDeps, 'papers' | 'queues' | 'logger' | 'blobs'>,
): Promise<number> {
  let sent = 0;
  for (const paper of await deps.papers.listByState(['code_requested'])) {
    const requests = (await deps.papers.audit(paper.id)).filter((entry) => entry.to === 'code_requested');
    const audit = requests.at(-1);
    if (!audit) continue;
    const extras = await extrasOf(deps, paper, audit);
    const { body, options } = codegenMessage(paper.id, audit.actor, requests.length, extras);
    const result = await deps.queues.codegen.send(body, options);
    if (!result.duplicate) {
      sent += 1;
      deps.logger.warn({ paperId: paper.id }, 'sent a code request again that had not reached the queue');
    }
  }
  return sent;
}

/** A fix round's job carries the failed run and its failure; any other request carries its feedback note. */
async function extrasOf(
  deps: Pick<CoreDeps, 'blobs'>,
  paper: Paper,
  audit: AuditEntry,
): Promise<CodegenExtras> {
  const fixOfRunId = fixedRunOf(audit.note);
  const run = fixOfRunId ? findRun(paper, fixOfRunId) : undefined;
  if (fixOfRunId && run) {
    return { fixOfRunId, feedback: await failureFeedback(deps.blobs, run, paper.lastNote) };
  }
  return audit.note ? { feedback: audit.note } : {};
}
