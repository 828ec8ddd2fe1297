import type { CoreDeps } from '../../src/deps.js';
import { isTransient, NotFoundError } from '../../src/errors.js';
import { openThreadFor } from '../../src/threads/open-thread.js';
import { approverClick, paperIdOf, type DecisionClick } from './approver-click.js';
import {
  buttonWithout,
  PAPER_GONE,
  THREAD_BEING_OPENED,
  threadAlreadyOpen,
} from '../../src/messages/click-replies.js';
import {
  DIGEST_FALLBACK_TEXT,
  openedFromDigest,
  withCandidateOpened,
} from '../../src/messages/message-edits.js';
import type { ThreadRef } from '../../src/domain/paper.js';

/**
 * **Open thread** on a digest candidate (value = paper id): the paper gets its thread root in the channel,
 * exactly once however many approvers click (`openThreadFor` holds a lease and checks the paper first). The
 * digest row then shows the thread instead of the button. Human picks do not count against MAX_THREADS_PER_DAY.
 */
export const openThread = (deps: CoreDeps) =>
  approverClick(deps, 'digest.open_thread', 'open threads', async (click, { tell, logger }) => {
    const paperId = paperIdOf(click.value);
    if (!paperId) return tell(buttonWithout('paper id'));
    let opened;
    try {
      opened = await openThreadFor(paperId, deps, { note: openedFromDigest(click.userId) });
    } catch (error) {
      if (error instanceof NotFoundError) return tell(PAPER_GONE);
      if (isTransient(error)) return tell(THREAD_BEING_OPENED);
      throw error;
    }
    if (!opened.created) await tell(threadAlreadyOpen(opened.thread));
    await markRow(deps, click, paperId, opened.thread, logger);
  });

/** Swap the candidate's button for a link to its thread, keeping the rest of the digest as it was. */
async function markRow(
  deps: CoreDeps,
  click: DecisionClick,
  paperId: string,
  thread: ThreadRef,
  logger: CoreDeps['logger'],
): Promise<void> {
  const blocks = click.raw.message?.blocks;
  if (!blocks) return;
  const updated = withCandidateOpened(blocks, { paperId, thread, userId: click.userId });
  await deps.chat
    .update({
      channel: click.channel,
      ts: click.messageTs,
      blocks: updated,
      text: click.raw.message?.text ?? DIGEST_FALLBACK_TEXT,
    })
    .catch((error: unknown) => logger.warn({ err: error, paperId }, 'could not update the digest row'));
}
