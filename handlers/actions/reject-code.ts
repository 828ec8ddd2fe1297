import type { CoreDeps } from '../../src/deps.js';
import { rejectModal } from '../../src/messages/decision-modals.js';
import { splitPair } from './action-payload.js';
import { approverClick } from './approver-click.js';
import { codeVersionTarget } from './code-version-click.js';
import { buttonWithout } from '../../src/messages/click-replies.js';

/** **Reject** on a code step (value `paperId:codeHash`): opens the reason modal for that exact version. */
export const rejectCode = (deps: CoreDeps) =>
  approverClick(deps, 'code.reject', 'reject code', async (click, { tell }) => {
    const pair = splitPair(click.value);
    if (!pair) return tell(buttonWithout('paper and code'));
    const [paperId, codeHash] = pair;
    const target = await codeVersionTarget(deps, paperId, { codeHash });
    if (!target.ok) return tell(target.message);
    await deps.chat.openView(
      click.triggerId,
      rejectModal({
        kind: 'code',
        title: `Code v${target.version.version} for “${target.paper.title}”`,
        metadata: {
          paperId,
          codeHash,
          channel: click.channel,
          messageTs: click.messageTs,
          threadTs: click.threadTs,
        },
      }),
    );
  });
