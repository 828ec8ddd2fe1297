import type { SlackEventMiddlewareArgs } from '@slack/bolt';
import { SCRAPE_USAGE } from '../../src/commands/parse-scrape-command.js';
import type { CoreDeps } from '../../src/deps.js';
import { mentionHelp } from '../../src/messages/help-texts.js';

export const MENTION_HELP = mentionHelp(SCRAPE_USAGE).text;

/** Someone @-mentioned Sherpa: answer in the thread with what it can do. */
export function appMention(deps: Pick<CoreDeps, 'chat'>) {
  return async ({ event }: SlackEventMiddlewareArgs<'app_mention'>): Promise<void> => {
    await deps.chat.post({
      channel: event.channel,
      thread_ts: event.thread_ts ?? event.ts,
      text: MENTION_HELP,
      unfurl_links: false,
      unfurl_media: false,
    });
  };
}
