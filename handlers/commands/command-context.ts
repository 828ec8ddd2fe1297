import type { AllMiddlewareArgs, RespondArguments, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { CoreDeps } from '../../src/deps.js';
import type { Logger } from '../../src/logging/logger.js';

/** What every subcommand gets: the deps, who asked where, and a way to answer (ephemeral unless it says so). */
export interface CommandContext {
  deps: CoreDeps;
  userId: string;
  channelId: string;
  triggerId: string;
  logger: Logger;
  respond(message: RespondArguments): Promise<void>;
}

export type SubcommandHandler<C> = (command: C, context: CommandContext) => Promise<void>;

/** Posts to a response_url (the Slack adapter's lighter client); without it, Bolt's `respond`. */
export type PostToResponseUrl = (responseUrl: string, message: RespondArguments) => Promise<void>;

export function commandContext(
  deps: CoreDeps,
  args: SlackCommandMiddlewareArgs & AllMiddlewareArgs,
  postToResponseUrl?: PostToResponseUrl,
): CommandContext {
  const { command, respond } = args;
  return {
    deps,
    userId: command.user_id,
    channelId: command.channel_id,
    triggerId: command.trigger_id,
    logger: deps.logger.child({ command: command.command, userId: command.user_id }),
    async respond(message) {
      const answer: RespondArguments = { response_type: 'ephemeral', ...message };
      if (postToResponseUrl && command.response_url) await postToResponseUrl(command.response_url, answer);
      else await respond(answer);
    },
  };
}
