import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parseScrapeCommand, type ScrapeCommand } from '../../src/commands/parse-scrape-command.js';
import { usageMessage } from '../../src/messages/help-texts.js';
import type { CoreDeps } from '../../src/deps.js';
import { AfterAckQueue } from '../after-ack-queue.js';
import { commandContext, type PostToResponseUrl, type SubcommandHandler } from './command-context.js';
import { runSubcommand } from './run-subcommand.js';
import { scrapeArxiv } from './scrape-arxiv.js';
import { scrapeHelp } from './scrape-help.js';
import { scrapeVenue } from './scrape-venue.js';

type Handlers = { [K in ScrapeCommand['kind']]: SubcommandHandler<Extract<ScrapeCommand, { kind: K }>> };

const HANDLERS: Handlers = { help: scrapeHelp, venue: scrapeVenue, arxiv: scrapeArxiv };

/** `/scrape`: ack at once (with the usage text when the command is malformed), then run the subcommand
 * through the after-ack queue, so a burst of answers never delays the next ack. */
export function scrapeCommand(
  deps: CoreDeps,
  afterAck: AfterAckQueue = new AfterAckQueue(),
  postToResponseUrl?: PostToResponseUrl,
) {
  return async (args: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const parsed = parseScrapeCommand(args.command.text);
    if (!parsed.ok) {
      await args.ack({ response_type: 'ephemeral', text: usageMessage(parsed) });
      return;
    }
    await args.ack();
    const command = parsed.command;
    const handler = HANDLERS[command.kind] as SubcommandHandler<ScrapeCommand>;
    const context = commandContext(deps, args, postToResponseUrl);
    await afterAck.run(() =>
      runSubcommand(`scrape ${command.kind}`, context, () => handler(command, context)),
    );
  };
}
