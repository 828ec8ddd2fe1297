import type { PaperCommand } from '../../src/commands/parse-paper-command.js';
import { describeReference, findPaper } from '../../src/papers/find-paper.js';
import { paperStatusMessage } from '../../src/messages/paper-status.js';
import type { SubcommandHandler } from './command-context.js';
import { unknownPaperAnswer } from '../../src/messages/paper-command-answers.js';

/** `/paper status <id>`: state, audit history and links of one paper. */
export const paperStatus: SubcommandHandler<Extract<PaperCommand, { kind: 'status' }>> = async (
  command,
  context,
) => {
  const { papers, config } = context.deps;
  const paper = await findPaper(papers, command.reference);
  if (!paper) {
    await context.respond(unknownPaperAnswer(describeReference(command.reference)));
    return;
  }
  const audit = await papers.audit(paper.id);
  await context.respond(paperStatusMessage(paper, audit, config.timezone));
};
