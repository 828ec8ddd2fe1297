import type { Logger } from '../../logging/logger.js';
import type { Chat } from '../../ports/chat.js';
import { slackErrorCode } from '../../ports/chat-errors.js';

/**
 * Startup check of SLACK_CHANNEL (conversations.info, scope channels:read). A missing channel or a bot that
 * is not a member only shows up later as failed posts, so say it once, early, with the fix. Never fatal:
 * commands and the Home tab still work without the channel.
 */
export async function checkChannel(chat: Chat, channel: string, logger: Logger): Promise<void> {
  try {
    const info = await chat.channelInfo(channel);
    if (info.isMember === false) {
      logger.warn(
        { channel },
        `the bot is not a member of SLACK_CHANNEL ${channel}: in that channel, type /invite @sherpa (or add it from the channel details)`,
      );
    }
  } catch (error) {
    const code = slackErrorCode(error);
    logger.warn(
      { channel, code },
      code === 'channel_not_found'
        ? `SLACK_CHANNEL ${channel} was not found: check the id, and for a private channel add the groups:read scope and invite the bot`
        : `could not check SLACK_CHANNEL ${channel}`,
    );
  }
}
