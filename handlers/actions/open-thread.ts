import type { CoreDeps } from '../../src/deps.js';
import type * as types from '../../src/domain/block-kit.js';
import { CANDIDATE_BLOCK_PREFIX } from '../../src/messages/digest-message.js';
import { isTransient, NotFoundError } from '../../src/errors.js';
import { link, truncate } from '../../src/messages/mrkdwn.js';
import { threadUrl } from '../../src/messages/slack-time.js';
import { openThreadFor } from '../../src/threads/open-thread.js';
import { approverClick, paperIdOf, type DecisionClick } from './approver-click.js';

/**
 * **Open thread** on a digest candidate (value = paper id): the paper gets its thread root in the channel,
 * exactly once however many approvers click (`openThreadFor` holds a lease and checks the paper first). The
 * digest row then shows the thread instead of the button. Human picks do not count against MAX_THREADS_PER_DAY.
 */
export const openThread = (deps: CoreDeps) =>
  approverClick(deps, 'digest.open_thread', 'open threads', async (click, { tell, logger }) => {
    const paperId = paperIdOf(click.value);
    if (!paperId) return tell('That button carries no paper id; nothing was changed.');
    let opened;
    try {
      opened = await openThreadFor(paperId, deps, { note: `Opened by <@${click.userId}> from the digest.` });
    } catch (error) {
      if (error instanceof NotFoundError)
        return tell('That paper is not in Sherpa’s store any more; nothing was changed.');
      if (isTransient(error))
        return tell('Someone is opening that thread right now; it will appear shortly.');
      throw error;
    }
    const where = link(threadUrl(opened.thread), 'thread');
    if (!opened.created) await tell(`That paper already has a ${where}; nothing new was posted.`);
    await markRow(deps, click, paperId, `→ ${where} opened by <@${click.userId}>`, logger);
  });

/** Swap the candidate's button for a link to its thread, keeping the rest of the digest as it was. */
async function markRow(
  deps: CoreDeps,
  click: DecisionClick,
  paperId: string,
  line: string,
  logger: CoreDeps['logger'],
): Promise<void> {
  const blocks = click.raw.message?.blocks;
  if (!blocks) return;
  const updated = blocks.map((block) => {
    if (block.block_id !== `${CANDIDATE_BLOCK_PREFIX}${paperId}`) return block as unknown as types.KnownBlock;
    const text = (block.text as { text?: string } | undefined)?.text ?? '';
    return {
      type: 'section',
      block_id: block.block_id,
      text: { type: 'mrkdwn', text: truncate(`${text}\n${line}`, 3000) },
    } satisfies types.SectionBlock;
  });
  await deps.chat
    .update({
      channel: click.channel,
      ts: click.messageTs,
      blocks: updated,
      text: click.raw.message?.text ?? 'Sherpa digest',
    })
    .catch((error: unknown) => logger.warn({ err: error, paperId }, 'could not update the digest row'));
}
