import { approverRefusal } from '../../src/approvals/approver-check.js';
import { notAnApprover } from '../../src/messages/approver-refusals.js';
import type { PaperCommand } from '../../src/commands/parse-paper-command.js';
import { postDigestNow } from '../../src/digest/post-digest.js';
import { digestPostedAnswer } from '../../src/messages/paper-command-answers.js';
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
    notAnApprover('post the digest', { outcome: 'nothing was posted', mark: true }),
  );
  if (refusal) {
    await context.respond({ text: refusal });
    return;
  }
  const posted = await postDigestNow(deps, userId);
  context.logger.info({ ts: posted.ts }, 'digest posted on request');
  await context.respond(digestPostedAnswer(posted));
};
