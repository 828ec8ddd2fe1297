import type { CoreDeps } from '../deps.js';
import { yieldToEventLoop } from '../event-loop-slices.js';
import type { MessageContent } from '../messages/message-content.js';
import { findMessageByMetadata } from '../threads/find-message-by-metadata.js';
import { localDayKey } from '../threads/daily-quota.js';
import { claimDigestDay, type DigestRecord, releaseDigestDay, settleDigestDay } from './digest-claim.js';
import { digestMessage, isQuiet, quietDigestMessage } from '../messages/digest-message.js';
import { type DigestDeps, gatherDigest } from './gather-digest.js';

/** Message metadata on every digest, so a digest posted just before a crash can be found again. */
export const DIGEST_EVENT = 'sherpa_digest';

export type PostDigestDeps = DigestDeps & Pick<CoreDeps, 'coordination' | 'chat'>;

export type DailyDigestOutcome =
  | { kind: 'posted'; channel: string; ts: string }
  /** A crashed attempt had already posted it; its ts is now recorded and nothing was posted again. */
  | { kind: 'recovered'; channel: string; ts: string }
  | { kind: 'skipped_quiet' }
  | { kind: 'already_done'; record: DigestRecord }
  /** Another process holds today's claim; look again at `retryAt`. */
  | { kind: 'busy'; retryAt: Date };

interface Posted {
  channel: string;
  ts: string;
}

async function postDigestMessage(
  deps: PostDigestDeps,
  content: MessageContent,
  payload: { day: string; kind: 'scheduled' | 'manual' },
): Promise<Posted> {
  const channel = deps.config.slack.channel;
  // The Block Kit was built in this turn of the event loop; the post (serialised, form-encoded, written to the
  // socket) goes in the next, so an envelope that arrived meanwhile is acked between the two (issue 14, item 3).
  await yieldToEventLoop();
  const posted = await deps.chat.post({
    channel,
    ...content,
    unfurl_links: false,
    unfurl_media: false,
    metadata: { event_type: DIGEST_EVENT, event_payload: payload },
  });
  return posted;
}

/**
 * Today's scheduled digest, at most once per local day however many processes try and however often: claim the
 * day, (after taking over a dead claim) look for a digest that was already posted, build it, post it, record the
 * ts. A failed build or post gives the claim back; a crash leaves it to go stale and be taken over.
 */
export async function postScheduledDigest(deps: PostDigestDeps, holder: string): Promise<DailyDigestOutcome> {
  const now = deps.clock.now();
  const day = localDayKey(now, deps.config.timezone);
  const log = deps.logger.child({ job: 'daily-digest', day });
  const claim = await claimDigestDay(deps.coordination, day, holder, now);
  if (claim.kind === 'done') return { kind: 'already_done', record: claim.record };
  if (claim.kind === 'busy') return { kind: 'busy', retryAt: claim.retryAt };

  let posted: Posted | undefined;
  try {
    if (claim.takenOver) {
      const found = await findPostedDigest(deps, day);
      log.warn({ found: Boolean(found) }, 'took over a digest claim left by a process that stopped');
      if (found) {
        await settleDigestDay(deps.coordination, day, claim.record, {
          state: 'posted',
          holder,
          ...found,
          postedAt: now.toISOString(),
        });
        return { kind: 'recovered', ...found };
      }
    }
    const data = await gatherDigest(deps, now);
    const quiet = isQuiet(data);
    if (quiet && deps.config.digest.quietDay === 'skip') {
      await settleDigestDay(deps.coordination, day, claim.record, {
        state: 'skipped',
        holder,
        at: now.toISOString(),
      });
      log.info('quiet day: no digest (DIGEST_QUIET_DAY=skip)');
      return { kind: 'skipped_quiet' };
    }
    posted = await postDigestMessage(deps, quiet ? quietDigestMessage(data) : digestMessage(data), {
      day,
      kind: 'scheduled',
    });
  } catch (error) {
    if (!posted) await releaseDigestDay(deps.coordination, day, claim.record).catch(() => undefined);
    throw error;
  }
  const recorded = await settleDigestDay(deps.coordination, day, claim.record, {
    state: 'posted',
    holder,
    ...posted,
    postedAt: deps.clock.now().toISOString(),
  });
  if (!recorded) log.warn({ ts: posted.ts }, 'digest posted, but the claim had been taken over meanwhile');
  log.info({ ts: posted.ts }, 'daily digest posted');
  return { kind: 'posted', ...posted };
}

/** `/paper digest`: the digest now, always posted (a quiet day gets its one line); no claim is touched. */
export async function postDigestNow(deps: PostDigestDeps, requestedBy: string): Promise<Posted> {
  const now = deps.clock.now();
  const data = await gatherDigest(deps, now);
  const content = isQuiet(data)
    ? quietDigestMessage(data, { requestedBy })
    : digestMessage(data, { requestedBy });
  return postDigestMessage(deps, content, { day: data.day, kind: 'manual' });
}

/**
 * The scheduled digest of `day` in the channel, found by its metadata among the latest top-level messages. When
 * Slack cannot be asked (no `channels:history`), a second digest is the lesser harm than none.
 */
async function findPostedDigest(deps: PostDigestDeps, day: string): Promise<Posted | undefined> {
  try {
    return await findMessageByMetadata(
      deps,
      DIGEST_EVENT,
      (payload) => payload.day === day && payload.kind === 'scheduled',
    );
  } catch (error) {
    deps.logger.warn({ err: error, day }, 'could not search the channel for an interrupted digest post');
    return undefined;
  }
}
