import { z } from 'zod';
import type { CoreDeps } from '../deps.js';
import type { ThreadRef } from '../domain/paper.js';

/** A `conversations.history` or `.replies` answer, as much of it as a search by metadata reads. */
export const HistorySchema = z.object({
  ok: z.literal(true),
  messages: z
    .array(
      z.object({
        ts: z.string(),
        metadata: z
          .object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).optional() })
          .optional(),
      }),
    )
    .default([]),
});

/**
 * Top-level messages looked through. Thread roots are capped per day and digests are daily, so the latest 200
 * cover days of traffic.
 */
const HISTORY_LIMIT = 200;

/**
 * Find a message Sherpa posted in its channel by the message metadata it carries. This is how a post made just
 * before a crash (after `chat.postMessage`, before its ts was recorded) is found again instead of posted twice.
 * Returns `undefined` when no such message is there; throws when Slack cannot be asked (no `channels:history`),
 * so each caller decides which harm is lesser.
 */
export async function findMessageByMetadata(
  deps: Pick<CoreDeps, 'config' | 'slack'>,
  eventType: string,
  payloadMatches: (payload: Record<string, unknown>) => boolean,
): Promise<ThreadRef | undefined> {
  const channel = deps.config.slack.channel;
  const history = HistorySchema.parse(
    await deps.slack.conversations.history({ channel, limit: HISTORY_LIMIT, include_all_metadata: true }),
  );
  const found = firstMatch(history.messages, eventType, payloadMatches);
  return found ? { channel, ts: found.ts } : undefined;
}

/** The first message (newest first, as Slack lists them) of this metadata type whose payload matches. */
export function firstMatch(
  messages: z.infer<typeof HistorySchema>['messages'],
  eventType: string,
  payloadMatches: (payload: Record<string, unknown>) => boolean,
) {
  return messages.find(
    (message) =>
      message.metadata?.event_type === eventType && payloadMatches(message.metadata.event_payload ?? {}),
  );
}
