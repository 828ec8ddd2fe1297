import type { Paper } from '../domain/paper.js';
import type { CoreDeps } from '../deps.js';
import { ConfigError, describeForUser } from '../errors.js';
import { codegenFailedMessage } from '../messages/codegen-status.js';

export const CODEGEN_ACTOR = 'system:codegen';

/** The failed-step message, so Retry can replace its button with who retried. */
export interface FailureMessageRecord {
  channel: string;
  ts: string;
  reason: string;
}
export const failureMessageKey = (paperId: string) => `codegen-failed/${paperId}`;

/** One short paragraph for the thread: a model that is not enabled names itself and how to enable it. */
export function failureReason(error: unknown): string {
  if (error instanceof ConfigError) return error.problems.join(' ');
  return describeForUser(error);
}

/**
 * `code_requested → code_failed` with the reason, and a thread message with **Retry**. The paper stays
 * retryable (`code_failed → code_requested`), so nothing is lost.
 */
export async function reportCodegenFailure(
  deps: Pick<CoreDeps, 'papers' | 'chat' | 'coordination' | 'logger'>,
  paper: Paper,
  error: unknown,
): Promise<void> {
  const reason = failureReason(error);
  const moved = await deps.papers.transition({
    paperId: paper.id,
    from: 'code_requested',
    to: 'code_failed',
    actor: CODEGEN_ACTOR,
    note: reason.slice(0, 1000),
    patch: { lastNote: reason.slice(0, 2000) },
  });
  if (!moved.ok) return;
  deps.logger.warn({ err: error, paperId: paper.id }, 'code generation failed');
  const thread = moved.paper.thread;
  if (!thread) return;
  try {
    const posted = await deps.chat.post({
      channel: thread.channel,
      thread_ts: thread.ts,
      ...codegenFailedMessage({ paperId: paper.id, reason }),
    });
    if (posted.ts) {
      await deps.coordination.put<FailureMessageRecord>(failureMessageKey(paper.id), {
        channel: thread.channel,
        ts: posted.ts,
        reason,
      });
    }
  } catch (postError) {
    deps.logger.error({ err: postError, paperId: paper.id }, 'could not post the code generation failure');
  }
}
