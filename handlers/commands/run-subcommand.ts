import { describeForUser } from '../../src/errors.js';
import type { CommandContext } from './command-context.js';
import { commandFailedAnswer } from '../../src/messages/paper-command-answers.js';

/**
 * Run a subcommand after the ack. Whatever goes wrong is logged in full and told to the user in one line:
 * a command never fails silently, and a stack trace never reaches Slack.
 */
export async function runSubcommand(
  name: string,
  context: CommandContext,
  work: () => Promise<void>,
): Promise<void> {
  const started = performance.now();
  try {
    await work();
    context.logger.debug(
      { subcommand: name, ms: Math.round(performance.now() - started) },
      'command answered',
    );
  } catch (error) {
    context.logger.error({ err: error, subcommand: name }, 'command failed');
    try {
      await context.respond(commandFailedAnswer(describeForUser(error)));
    } catch (respondError) {
      context.logger.error(
        { err: respondError, subcommand: name },
        'could not tell the user the command failed',
      );
    }
  }
}
