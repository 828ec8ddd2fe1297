import { ChatError, type Chat } from '../ports/chat.js';
import { chatFailure } from './chat-failure.js';
import { type DoctorCheck, failed, passed } from './check.js';

const CHECK = 'slack channel';

/** `conversations.info` on SLACK_CHANNEL: it exists, is not archived, and the bot is a member. */
export function slackChannelCheck(chat: Chat, channel: string): DoctorCheck {
  return {
    name: CHECK,
    async run() {
      try {
        const info = await chat.channelInfo(channel);
        const name = info.name ? `#${info.name}` : channel;
        if (info.isArchived) {
          return [
            failed(
              CHECK,
              channel,
              `${name} is archived`,
              'Unarchive it or set SLACK_CHANNEL to another channel',
            ),
          ];
        }
        if (!info.isMember) {
          return [
            failed(CHECK, channel, `the bot is not a member of ${name}`, `In ${name}, run /invite @Sherpa`),
          ];
        }
        return [passed(CHECK, channel, `member of ${name}`)];
      } catch (error) {
        const code = error instanceof ChatError ? error.code : undefined;
        if (code === 'missing_scope') {
          return [
            failed(
              CHECK,
              channel,
              `missing scope ${(error as ChatError).needed ?? '(unnamed)'} for conversations.info`,
              `Add ${(error as ChatError).needed ?? 'the scope'} to the bot token scopes (manifest.yml) and reinstall the app`,
            ),
          ];
        }
        if (code === 'channel_not_found') {
          return [
            failed(
              CHECK,
              channel,
              `channel ${channel} not found (or private and the bot is not in it)`,
              'Check SLACK_CHANNEL (channel → About → Channel ID); for a private channel invite the bot and add groups:read',
            ),
          ];
        }
        return [
          failed(
            CHECK,
            channel,
            `conversations.info failed: ${chatFailure(error)}`,
            'See docs/operations.md',
          ),
        ];
      }
    },
  };
}
