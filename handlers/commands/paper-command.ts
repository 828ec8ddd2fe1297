import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parsePaperCommand, type PaperCommand } from '../../src/commands/parse-paper-command.js';
import { usageMessage } from '../../src/messages/help-texts.js';
import type { CoreDeps } from '../../src/deps.js';
import { AfterAckQueue } from '../after-ack-queue.js';
import { commandContext, type PostToResponseUrl, type SubcommandHandler } from './command-context.js';
import { paperDigest } from './paper-digest.js';
import { paperEvolve } from './paper-evolve.js';
import { paperHelp } from './paper-help.js';
import { paperRun } from './paper-run.js';
import { paperSearch } from './paper-search.js';
import { paperStatus } from './paper-status.js';
import { runSubcommand } from './run-subcommand.js';

type Handlers = { [K in PaperCommand['kind']]: SubcommandHandler<Extract<PaperCommand, { kind: K }>> };

const HANDLERS: Handlers = {
  help: paperHelp,
  run: paperRun,
  status: paperStatus,
  search: paperSearch,
  digest: paperDigest,
  evolve: paperEvolve,
};

/** `/paper`: ack at once (with the usage text when the command is malformed), then run the subcommand
 * through the after-ack queue, so a burst of answers never delays the next ack. */
export function paperCommand(
  deps: CoreDeps,
  afterAck: AfterAckQueue = new AfterAckQueue(),
  postToResponseUrl?: PostToResponseUrl,
) {
  return async (args: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const parsed = parsePaperCommand(args.command.text);
    if (!parsed.ok) {
      await args.ack({ response_type: 'ephemeral', text: usageMessage(parsed) });
      return;
    }
    await args.ack();
    const command = parsed.command;
    const handler = HANDLERS[command.kind] as SubcommandHandler<PaperCommand>;
    const context = commandContext(deps, args, postToResponseUrl);
    await afterAck.run(() =>
      runSubcommand(`paper ${command.kind}`, context, () => handler(command, context)),
    );
  };
}
