import type { AuditEntry, Paper } from '../domain/paper.js';
import { paperThreadRoot } from '../messages/paper-thread-root.js';
import type { ThreadDeps } from './thread-deps.js';

/**
 * Replace the root's buttons with the decision taken at its gate (who, when, why). Only the bot's own message
 * can be updated, and a failure here must not undo the decision, so it is logged rather than thrown.
 */
export async function showDecisionOnRoot(
  deps: Pick<ThreadDeps, 'chat' | 'logger'>,
  paper: Paper,
  decision: AuditEntry,
  note?: string,
): Promise<void> {
  if (!paper.thread) return;
  try {
    await deps.chat.update({
      channel: paper.thread.channel,
      ts: paper.thread.ts,
      ...paperThreadRoot(paper, { decision, ...(note ? { note } : {}) }),
    });
  } catch (error) {
    deps.logger.warn(
      { err: error, paperId: paper.id, threadTs: paper.thread.ts },
      'could not update the thread root',
    );
  }
}
