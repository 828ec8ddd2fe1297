import { approverRefusal } from '../../src/approvals/approver-check.js';
import type { EvolveCommand } from '../../src/commands/parse-evolve-command.js';
import { startSearch } from '../../src/evolve/start-search.js';
import { notAnApprover } from '../../src/messages/approver-refusals.js';
import { EVOLVE_NO_COMPUTE, evolvePlanPostedAnswer } from '../../src/messages/evolve-replies.js';
import { unknownPaperAnswer } from '../../src/messages/paper-command-answers.js';
import { describeReference, findPaper } from '../../src/papers/find-paper.js';
import type { SubcommandHandler } from './command-context.js';

/**
 * `/paper evolve <id> [--variants N] [--generations M] [--minutes T] [--max-usd X] [--metric name:min|max]
 * [--target neuron|cuda]` (issue 13, item 1): plan a variant search from the paper's last succeeded run and
 * post the plan in its thread. Approvers only: a confirmed search spends up to its cap.
 */
export const paperEvolve: SubcommandHandler<EvolveCommand> = async (command, context) => {
  const { deps } = context;
  const refusal = await approverRefusal(
    deps,
    context.userId,
    notAnApprover('use `/paper evolve`', { outcome: 'nothing was started', mark: true }),
  );
  if (refusal) return context.respond({ text: refusal });
  if (!deps.compute) return context.respond({ text: EVOLVE_NO_COMPUTE });
  const paper = await findPaper(deps.papers, command.reference);
  if (!paper) return context.respond(unknownPaperAnswer(describeReference(command.reference)));
  const outcome = await startSearch(
    { ...deps, searches: deps.searches, compute: deps.compute },
    {
      paperId: paper.id,
      userId: context.userId,
      input: command.input,
      variants: command.variants,
      generations: command.generations,
      ...(command.minutes !== undefined ? { minutes: command.minutes } : {}),
      ...(command.maxUsd !== undefined ? { maxUsd: command.maxUsd } : {}),
      ...(command.objective ? { objective: command.objective } : {}),
      ...(command.target ? { target: command.target } : {}),
    },
  );
  if (outcome.kind === 'refused') return context.respond({ text: outcome.message });
  if (outcome.search.thread)
    await context.respond({ text: evolvePlanPostedAnswer(outcome.search.thread, outcome.fits) });
};
