import type { PaperCommand } from '../../src/commands/parse-paper-command.js';
import { searchResultsMessage } from '../../src/messages/search-results.js';
import type { SubcommandHandler } from './command-context.js';

const RESULTS_SHOWN = 10;

/** `/paper search <words> [venue:] [year:] [status:]`: full-text search over the papers Sherpa knows. */
export const paperSearch: SubcommandHandler<Extract<PaperCommand, { kind: 'search' }>> = async (
  command,
  context,
) => {
  // One more than shown, to tell "these are all" from "more match".
  const hits = await context.deps.papers.search({
    text: command.text,
    ...command.filters,
    limit: RESULTS_SHOWN + 1,
  });
  const more = hits.length > RESULTS_SHOWN;
  await context.respond(
    searchResultsMessage(command.text, command.filters, hits.slice(0, RESULTS_SHOWN), { more }),
  );
};
