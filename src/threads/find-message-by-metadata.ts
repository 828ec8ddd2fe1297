import type { CoreDeps } from '../deps.js';
import type { ThreadRef } from '../domain/paper.js';

/**
 * Find a message Sherpa posted at the top of its channel by the message metadata it carries. This is how a post
 * made just before a crash (after `chat.postMessage`, before its ts was recorded) is found again instead of
 * posted twice. Returns `undefined` when no such message is among the latest (the Chat adapter's bound: thread
 * roots are capped per day and digests are daily, so they cover days); throws when the channel cannot be read
 * (no `channels:history`), so each caller decides which harm is lesser.
 */
export async function findMessageByMetadata(
  deps: Pick<CoreDeps, 'config' | 'chat'>,
  eventType: string,
  payloadMatches: (payload: Record<string, unknown>) => boolean,
): Promise<ThreadRef | undefined> {
  return deps.chat.findByMetadata({
    channel: deps.config.slack.channel,
    event_type: eventType,
    matches: payloadMatches,
  });
}
