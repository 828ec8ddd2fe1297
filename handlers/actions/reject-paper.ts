import { alreadyDecided } from '../../src/approvals/decide.js';
import type { CoreDeps } from '../../src/deps.js';
import { rejectModal } from '../../src/messages/decision-modals.js';
import { approverClick, paperIdOf } from './approver-click.js';
import { PAPER_GONE } from '../../src/messages/click-replies.js';

/**
 * **Reject** on a thread root (value = paper id): opens the reason modal (within the 3 s the trigger id
 * lives). The decision itself happens on submit, as a compare-and-set (`handlers/views/reject-paper-reason.ts`).
 */
export const rejectPaper = (deps: CoreDeps) =>
  approverClick(deps, 'paper.reject', 'reject papers', async (click, { tell }) => {
    const paperId = paperIdOf(click.value);
    const paper = paperId ? await deps.papers.get(paperId) : undefined;
    if (!paper) return tell(PAPER_GONE);
    if (paper.state !== 'accepted') return tell(await alreadyDecided(deps, paper));
    await deps.chat.openView(
      click.triggerId,
      rejectModal({
        kind: 'paper',
        title: paper.title,
        metadata: {
          paperId: paper.id,
          channel: click.channel,
          messageTs: click.messageTs,
          threadTs: click.threadTs,
        },
      }),
    );
  });
