import { ChatError } from '../ports/chat.js';

/**
 * True when Slack answered a call with `ok: false` (a platform error such as `channel_not_found`): the call
 * reached Slack and was refused, so a post definitely did not happen. A timeout, a dropped connection or a
 * 5xx is not a refusal: the post may have landed, and only a look at the channel can tell.
 */
export function slackRefused(error: unknown): boolean {
  return error instanceof ChatError && error.refused;
}
