import type { PaperCommand } from '../../src/commands/parse-paper-command.js';
import { PAPER_USAGE } from '../../src/messages/help-texts.js';
import type { SubcommandHandler } from './command-context.js';

export const paperHelp: SubcommandHandler<Extract<PaperCommand, { kind: 'help' }>> = async (
  _command,
  context,
) => {
  await context.respond({ text: PAPER_USAGE });
};
