import { SlackChat, type SlackChatOptions } from '../adapters/slack/index.js';
import type { Config } from '../config/load-config.js';
import type { Logger } from '../logging/logger.js';
import type { Chat } from '../ports/chat.js';

/**
 * The Chat port: Slack's Web API with the bot token, at SLACK_API_URL when set (the Slack fake in tests). It
 * keeps the WebClient's own retries of network errors and 5xx, as Bolt's client does, and waits out rate limits.
 */
export function createChat(
  config: Config,
  logger: Logger,
  options: Pick<SlackChatOptions, 'retryConfig' | 'sleep'> = {},
): Chat {
  return new SlackChat({
    token: config.slack.botToken,
    ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}),
    logger,
    ...options,
  });
}
