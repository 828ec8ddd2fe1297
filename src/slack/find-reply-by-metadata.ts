import type { webApi } from '@slack/bolt';
import { firstMatch, HistorySchema } from './find-message-by-metadata.js';

/** A thread holds a paper's whole life: its code versions, runs and fixes are well under this. */
const REPLIES_LIMIT = 1000;
/** Top-level messages looked through for a paper without a thread: the channel's latest day or so. */
const HISTORY_LIMIT = 200;

/**
 * Find a message Sherpa posted in a paper's thread (or, for a paper without a thread, at the top of the
 * channel) by the metadata it carries: how a progress or result message posted just before a crash or a lost
 * answer is adopted instead of posted twice (issue 10, build item 4). The thread is read with
 * `conversations.replies` (code steps, progress and results); `src/slack/find-message-by-metadata.ts` searches
 * channel history for thread roots. Throws when Slack cannot be asked, so each caller decides which harm is
 * lesser.
 */
export async function findReplyByMetadata(
  slack: webApi.WebClient,
  where: { channel: string; threadTs?: string },
  eventType: string,
  payloadMatches: (payload: Record<string, unknown>) => boolean,
): Promise<string | undefined> {
  const answer = where.threadTs
    ? await slack.conversations.replies({
        channel: where.channel,
        ts: where.threadTs,
        limit: REPLIES_LIMIT,
        include_all_metadata: true,
      })
    : await slack.conversations.history({
        channel: where.channel,
        limit: HISTORY_LIMIT,
        include_all_metadata: true,
      });
  return firstMatch(HistorySchema.parse(answer).messages, eventType, payloadMatches)?.ts;
}
