import { approverRefusal } from '../../src/approvals/approver-check.js';
import type { PaperCommand } from '../../src/commands/parse-paper-command.js';
import { postDigestNow } from '../../src/digest/post-digest.js';
import { threadUrl } from '../../src/messages/slack-time.js';
import type { SubcommandHandler } from './command-context.js';

/**
 * `/paper digest` (approvers only): post the digest to the channel now. It does not touch the day's claim, so
 * the scheduled digest still arrives; a team trying Sherpa out sees what it will get without waiting for it.
 */
export const paperDigest: SubcommandHandler<Extract<PaperCommand, { kind: 'digest' }>> = async (
  _command,
  context,
) => {
  const { deps, userId } = context;
  const refusal = await approverRefusal(
    deps,
    userId,
    ':no_entry: Only approvers can post the digest (see APPROVERS); nothing was posted.',
  );
  if (refusal) {
    await context.respond({ text: refusal });
    return;
  }
  const posted = await postDigestNow(deps, userId);
  context.logger.info({ ts: posted.ts }, 'digest posted on request');
  await context.respond({
    text: `Posted the digest in <#${posted.channel}>: <${threadUrl(posted)}|open it>. The scheduled one still comes at its time.`,
  });
};
