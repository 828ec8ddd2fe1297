import { decide, type Decision } from '../approvals/decide.js';
import type { CoreDeps } from '../deps.js';
import type { AuditEntry } from '../domain/paper.js';
import type { PaperState } from '../domain/paper-state.js';
import { codegenStartedMessage } from '../messages/codegen-status.js';
import { holdIfOverBudget } from './codegen-budget.js';
import { codegenMessage, codegenMessageOf, type CodegenExtras } from './codegen-message.js';

export type RequestCodegenDeps = Pick<
  CoreDeps,
  'papers' | 'queues' | 'chat' | 'config' | 'logger' | 'ledger' | 'clock' | 'coordination'
>;

export interface CodegenRequest {
  paperId: string;
  /** The state(s) the clicker saw: accepted (Generate code), code_ready (Regenerate), code_failed (Retry). */
  from: PaperState | readonly PaperState[];
  actor: string;
  /** What Claude should change (Regenerate with feedback). */
  feedback?: string;
  /** Bound to the code version the feedback was about. */
  artifactHash?: string;
  /** An approver's explicit **Override budget and generate**: skip the daily budget check. */
  overrideBudget?: boolean;
  /** Port to GPU / Port to Trainium: write the new version for this backend (issue 12, item 5). */
  backend?: 'neuron' | 'cuda';
}

export { codegenDedupeId } from './codegen-message.js';

/** The number of the latest code request of a paper, from its audit log. */
export async function latestRequestNumber(deps: Pick<CoreDeps, 'papers'>, paperId: string): Promise<number> {
  return (await deps.papers.audit(paperId)).filter((entry) => entry.to === 'code_requested').length;
}

/** Send the job of a transition already committed (stores without an outbox onto the codegen queue). */
export async function enqueueCodegen(
  deps: Pick<CoreDeps, 'queues' | 'papers'>,
  audit: AuditEntry,
  extras: CodegenExtras,
): Promise<void> {
  const requestNumber = await latestRequestNumber(deps, audit.paperId);
  const { body, options } = codegenMessage(audit.paperId, audit.actor, requestNumber, extras);
  await deps.queues.codegen.send(body, options);
}

/**
 * Ask for code: over DAILY_BUDGET_USD the request is held for an approver's override (`holdIfOverBudget`);
 * otherwise one compare-and-set into `code_requested` (exactly one of any number of clicks wins) with the job
 * on the codegen queue, then a line in the thread so the requester sees work started. Embedded, the transition
 * and the job are one SQLite transaction; with SQS the job follows the transition, and if the process dies in
 * between the sweeps send it again (`requeueStrandedCodegen`).
 */
export async function requestCodegen(deps: RequestCodegenDeps, request: CodegenRequest): Promise<Decision> {
  if (!request.overrideBudget) {
    const held = await holdIfOverBudget(deps, request);
    if (held) return held;
  }
  const extras = {
    ...(request.feedback ? { feedback: request.feedback } : {}),
    ...(request.backend ? { backend: request.backend } : {}),
  };
  const outbox = deps.papers.outboxFor?.(deps.queues.codegen);
  const decision = await decide(
    deps,
    {
      paperId: request.paperId,
      from: request.from,
      to: 'code_requested',
      actor: request.actor,
      ...(request.feedback ? { note: request.feedback } : {}),
      ...(request.artifactHash ? { artifactHash: request.artifactHash } : {}),
    },
    outbox && ((transition) => outbox.transition(transition, codegenMessageOf(extras))),
  );
  if (!decision.ok) return decision;
  if (!outbox) await enqueueCodegen(deps, decision.audit, extras);
  const thread = decision.paper.thread;
  if (thread) {
    try {
      await deps.chat.post({
        channel: thread.channel,
        thread_ts: thread.ts,
        ...codegenStartedMessage({
          requestedBy: request.actor,
          modelId: deps.config.bedrock.codegenModelId,
          ...(request.feedback ? { feedback: request.feedback } : {}),
        }),
      });
    } catch (error) {
      deps.logger.warn({ err: error, paperId: request.paperId }, 'could not announce the code request');
    }
  }
  return decision;
}
