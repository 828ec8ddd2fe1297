import type { CoreDeps } from '../deps.js';
import type { MessageContent } from '../messages/message-content.js';
import { slackRefused } from '../ports/chat-errors.js';

/** What a keyed post remembers: when its post began, and the message once Slack returned it. */
export interface PostedRecord<T> {
  postingSince?: string;
  ts?: string;
  /** Whatever the caller needs to rebuild the message later (the plan's figures). */
  data: T;
}

/** Message metadata on evolve posts: a post made just before a crash is found by it instead of repeated. */
export const EVOLVE_POST_EVENT = 'sherpa_evolve_post';

/** A post begun this long ago and never recorded is taken over (its poster died before or during the call). */
const STALE_POSTING_MS = 60_000;

export type PostOnceDeps = Pick<CoreDeps, 'chat' | 'coordination' | 'clock' | 'logger'>;

/**
 * Post a message in a thread exactly once under `key` (exactly once, or visibly not): the intent is recorded
 * before `chat.postMessage` and the ts after. A second caller finds the ts and posts nothing; one that finds a
 * post begun but not recorded looks for it in the thread by its metadata, and takes the post over only when it
 * is not there and its poster has been gone a minute. Returns the message's ts and whether this call posted it;
 * `ts` is undefined while another caller's post is still under way.
 */
export async function postOnce<T>(
  deps: PostOnceDeps,
  key: string,
  where: { channel: string; threadTs: string },
  data: T,
  build: () => MessageContent,
): Promise<{ ts?: string; posted: boolean; data: T }> {
  const now = () => deps.clock.now().toISOString();
  let record = await deps.coordination.get<PostedRecord<T>>(key);
  if (record?.value.ts) return { ts: record.value.ts, posted: false, data: record.value.data };
  if (record) {
    const found = await deps.chat
      .findByMetadata({
        channel: where.channel,
        thread_ts: where.threadTs,
        event_type: EVOLVE_POST_EVENT,
        matches: (payload) => payload.key === key,
      })
      .catch((error: unknown) => {
        deps.logger.warn({ err: error, key }, 'could not look for an interrupted post');
        return 'unknown' as const;
      });
    if (found && found !== 'unknown') {
      await deps.coordination.put(key, { ...record.value, ts: found.ts });
      return { ts: found.ts, posted: false, data: record.value.data };
    }
    const since = Date.parse(record.value.postingSince ?? '');
    const stale = !(deps.clock.now().getTime() - since < STALE_POSTING_MS);
    if (found === 'unknown' || !stale) return { posted: false, data: record.value.data };
    record = await deps.coordination.put(
      key,
      { data: record.value.data, postingSince: now() },
      { ifVersion: record.version },
    );
  } else {
    record = await deps.coordination.put(key, { data, postingSince: now() }, { ifAbsent: true });
  }
  // Someone else claimed the post between our read and our claim: theirs stands.
  if (!record) {
    const current = await deps.coordination.get<PostedRecord<T>>(key);
    return {
      ...(current?.value.ts ? { ts: current.value.ts } : {}),
      posted: false,
      data: current?.value.data ?? data,
    };
  }
  const claimed = record;
  let ts: string;
  try {
    ({ ts } = await deps.chat.post({
      channel: where.channel,
      thread_ts: where.threadTs,
      ...build(),
      unfurl_links: false,
      unfurl_media: false,
      metadata: { event_type: EVOLVE_POST_EVENT, event_payload: { key } },
    }));
  } catch (error) {
    // Slack refused: nothing was posted, so the claim goes and the next caller may post.
    if (slackRefused(error)) await deps.coordination.delete(key, { ifVersion: claimed.version });
    throw error;
  }
  await deps.coordination.put(key, { data: claimed.value.data, ts });
  return { ts, posted: true, data: claimed.value.data };
}
