import { approverRefusal } from '../../src/approvals/approver-check.js';
import type { PaperCommand } from '../../src/commands/parse-paper-command.js';
import { runPaper } from '../../src/papers/run-paper.js';
import { feasibilityMark } from '../../src/messages/paper-facts.js';
import type { SubcommandHandler } from './command-context.js';
import { escapeMrkdwn } from '../../src/messages/mrkdwn.js';

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
    ':no_entry: Only approvers can use `/paper run` (see APPROVERS); nothing was started.',
  );
  if (refusal) {
    await context.respond({ text: refusal });
    return;
  }
  if (!deps.llm) {
    await context.respond({
      text: ':x: No LLM is configured in this Sherpa, so it cannot judge papers or write code.',
    });
    return;
  }
  await context.respond({ text: `:hourglass_flowing_sand: Looking up \`${escapeMrkdwn(command.input)}\`…` });
  const outcome = await runPaper({ ...deps, llm: deps.llm }, command.reference, context.userId);
  if (outcome.kind === 'refused') {
    await context.respond({ text: outcome.message });
    return;
  }
  const verdict = outcome.paper.verdict;
  const scores = verdict?.relevance
    ? `Judge: relevance ${verdict.relevance}/10, novelty ${verdict.novelty ?? '?'}/10` +
      (verdict.feasibility ? `, Trainium ${feasibilityMark(verdict.feasibility.verdict)}` : '') +
      '. '
    : verdict
      ? `Judge: ${escapeMrkdwn(verdict.rationale)} `
      : '';
  await context.respond({
    text:
      `:white_check_mark: ${outcome.fetched ? 'Fetched' : 'Found'} “${escapeMrkdwn(outcome.paper.title)}”. ${scores}` +
      `${outcome.judgeNote ? `${outcome.judgeNote} ` : ''}Code generation started in its thread in <#${outcome.thread.channel}>.`,
  });
};
