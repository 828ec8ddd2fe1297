import { approverRefusal } from '../../src/approvals/approver-check.js';
import { notAnApprover } from '../../src/messages/approver-refusals.js';
import type { PaperCommand } from '../../src/commands/parse-paper-command.js';
import { runPaper } from '../../src/papers/run-paper.js';
import type { SubcommandHandler } from './command-context.js';
import {
  lookingUpAnswer,
  NO_LLM_ANSWER,
  paperRunStartedAnswer,
} from '../../src/messages/paper-command-answers.js';

/**
 * `/paper run <id>` (an arXiv or OpenReview id or URL, or a Sherpa id): fetch the paper if Sherpa has not seen it,
 * judge it (the verdict informs, it does not block), open its thread and request code generation. Approvers only:
 * it spends Bedrock money and leads to a run approval.
 */
export const paperRun: SubcommandHandler<Extract<PaperCommand, { kind: 'run' }>> = async (
  command,
  context,
) => {
  const { deps } = context;
  const refusal = await approverRefusal(
    deps,
    context.userId,
    notAnApprover('use `/paper run`', { outcome: 'nothing was started', mark: true }),
  );
  if (refusal) {
    await context.respond({ text: refusal });
    return;
  }
  if (!deps.llm) {
    await context.respond(NO_LLM_ANSWER);
    return;
  }
  await context.respond(lookingUpAnswer(command.input));
  const outcome = await runPaper({ ...deps, llm: deps.llm }, command.reference, context.userId);
  if (outcome.kind === 'refused') {
    await context.respond({ text: outcome.message });
    return;
  }
  await context.respond(
    paperRunStartedAnswer({
      paper: outcome.paper,
      fetched: outcome.fetched,
      thread: outcome.thread,
      ...(outcome.judgeNote ? { judgeNote: outcome.judgeNote } : {}),
    }),
  );
};
