import type { CoreDeps } from '../../src/deps.js';
import { regenerateModal } from '../../src/messages/decision-modals.js';
import { approverClick, paperIdOf } from './approver-click.js';
import { codeVersionTarget } from './code-version-click.js';
import { buttonWithout } from '../../src/messages/click-replies.js';

/** **Regenerate with feedback** on a code step: opens the feedback modal for the version shown. */
export const regenerateCode = (deps: CoreDeps) =>
  approverClick(deps, 'code.regenerate', 'regenerate code', async (click, { tell }) => {
    const paperId = paperIdOf(click.value);
    if (!paperId) return tell(buttonWithout('paper id'));
    const target = await codeVersionTarget(deps, paperId, { messageTs: click.messageTs });
    if (!target.ok) return tell(target.message);
    await deps.chat.openView(
      click.triggerId,
      regenerateModal({
        title: target.paper.title,
        version: target.version.version,
        metadata: {
          paperId,
          codeHash: target.version.hash,
          channel: click.channel,
          messageTs: click.messageTs,
          threadTs: click.threadTs,
        },
      }),
    );
  });
