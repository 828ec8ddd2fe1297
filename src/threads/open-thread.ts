import { randomUUID } from 'node:crypto';
import type { Paper, ThreadRef } from '../domain/paper.js';
import { NotFoundError, TransientError } from '../errors.js';
import { paperThreadRoot } from '../messages/paper-thread-root.js';
import { slackRefused } from '../ports/chat-errors.js';
import { findPostedRoot } from './find-posted-root.js';
import { recordThread } from './record-thread.js';
import { THREAD_ROOT_EVENT, type ThreadDeps } from './thread-deps.js';

/** Written before posting and removed once the paper holds the thread: a leftover one means a crash. */
interface PostingMarker {
  startedAt: string;
  ts?: string;
}

const LEASE_SECONDS = 60;
const leaseKey = (paperId: string) => `thread-lease/${paperId}`;
const markerKey = (paperId: string) => `thread-posting/${paperId}`;

export interface OpenThreadResult {
  paper: Paper;
  thread: ThreadRef;
  /** False when the paper already had a thread (or another replica just opened it). */
  created: boolean;
  /** True when the root was one posted by an attempt that crashed before recording it, found and kept. */
  adopted: boolean;
}

export interface OpenThreadOptions {
  /** A line on the root, e.g. "Opened by <@U1> from the digest". */
  note?: string;
}

/**
 * Another holder has the paper's claim and nothing it posted is in the channel yet. It may be posting right now
 * (another replica) or it may be a process that died mid-post; either way its root may still appear, so the
 * caller keeps whatever it reserved for the paper and tries again later.
 */
export class ThreadBeingOpenedError extends TransientError {}

/**
 * Give a paper its thread root in `SLACK_CHANNEL`, exactly once. A lease keeps two replicas (or two clicks on
 * the digest's **Open thread**) from posting at the same time; a marker written before the post and cleared
 * after the paper records the thread lets a restart find a root that was posted just before a crash (by its
 * message metadata) and adopt it instead of posting a second one, even while the dead attempt's lease has not
 * expired yet (issue 10, found item 13).
 *
 * Throws `ThreadBeingOpenedError` when another holder is posting right now, and `TransientError` when an
 * interrupted post cannot be looked for (no channel history): never a second root.
 */
export async function openThreadFor(
  paperId: string,
  deps: ThreadDeps,
  options: OpenThreadOptions = {},
): Promise<OpenThreadResult> {
  const known = await deps.papers.get(paperId);
  if (!known) throw new NotFoundError(`No paper ${paperId}`);
  if (known.thread) return { paper: known, thread: known.thread, created: false, adopted: false };

  const holder = randomUUID();
  const lease = await deps.coordination.acquireLease(leaseKey(paperId), holder, LEASE_SECONDS);
  if (!lease) return adoptFromAnotherHolder(deps, paperId);
  try {
    const paper = await deps.papers.get(paperId);
    if (!paper) throw new NotFoundError(`No paper ${paperId}`);
    if (paper.thread) return { paper, thread: paper.thread, created: false, adopted: false };

    const recovered = await recoverCrashedPost(deps, paperId);
    if (recovered) return adopt(deps, paperId, recovered);

    const startedAt = deps.clock.now().toISOString();
    await deps.coordination.put<PostingMarker>(markerKey(paperId), { startedAt });
    const thread = await postRoot(deps, paper, options);
    await deps.coordination.put<PostingMarker>(markerKey(paperId), { startedAt, ts: thread.ts });
    deps.logger.info({ paperId, threadTs: thread.ts }, 'thread opened');
    return { paper: await settle(deps, paperId, thread), thread, created: true, adopted: false };
  } finally {
    await deps.coordination.releaseLease(leaseKey(paperId), holder);
  }
}

/**
 * True when a root of this paper may be in the channel without the paper knowing it: an attempt wrote its
 * marker and has not cleared it (it is posting now, or it died). A quota slot held for such a paper must stay.
 */
export async function threadPostPending(deps: Pick<ThreadDeps, 'coordination'>, paperId: string) {
  return (await deps.coordination.get<PostingMarker>(markerKey(paperId))) !== undefined;
}

async function postRoot(deps: ThreadDeps, paper: Paper, options: OpenThreadOptions): Promise<ThreadRef> {
  let posted;
  try {
    posted = await deps.chat.post({
      channel: deps.config.slack.channel,
      ...paperThreadRoot(paper, { note: options.note }),
      unfurl_links: false,
      unfurl_media: false,
      metadata: { event_type: THREAD_ROOT_EVENT, event_payload: { paper_id: paper.id } },
    });
  } catch (error) {
    // Refused by Slack: nothing was posted, so nothing is pending. Any other failure may have posted.
    if (slackRefused(error)) await deps.coordination.delete(markerKey(paper.id));
    throw error;
  }
  return posted;
}

/**
 * The lease is someone else's. If their root is already in the channel, adopt it now (recording the same ts
 * twice is harmless: the first recorded thread wins); otherwise they are still posting, or died before the post
 * left, and their lease must run out first.
 */
async function adoptFromAnotherHolder(deps: ThreadDeps, paperId: string): Promise<OpenThreadResult> {
  const busy = new ThreadBeingOpenedError(`The thread of ${paperId} is being opened right now`);
  const marker = await deps.coordination.get<PostingMarker>(markerKey(paperId));
  if (!marker) throw busy;
  const found = marker.value.ts
    ? { channel: deps.config.slack.channel, ts: marker.value.ts }
    : await findPostedRoot(deps, paperId).catch((error: unknown) => {
        deps.logger.warn({ err: error, paperId }, 'could not look for the root of a thread being opened');
        return undefined;
      });
  if (!found) throw busy;
  deps.logger.warn({ paperId, threadTs: found.ts }, 'adopted a root whose poster holds a stale claim');
  return adopt(deps, paperId, found);
}

async function adopt(deps: ThreadDeps, paperId: string, thread: ThreadRef): Promise<OpenThreadResult> {
  const paper = await settle(deps, paperId, thread);
  return { paper, thread: paper.thread ?? thread, created: false, adopted: true };
}

async function settle(deps: ThreadDeps, paperId: string, thread: ThreadRef): Promise<Paper> {
  const paper = await recordThread(deps, paperId, thread);
  await deps.coordination.delete(markerKey(paperId));
  return paper;
}

/** A marker left by a crashed attempt: its ts if it got that far, else the root found by its metadata. */
async function recoverCrashedPost(deps: ThreadDeps, paperId: string): Promise<ThreadRef | undefined> {
  const marker = await deps.coordination.get<PostingMarker>(markerKey(paperId));
  if (!marker) return undefined;
  if (marker.value.ts) return { channel: deps.config.slack.channel, ts: marker.value.ts };
  let found: ThreadRef | undefined;
  try {
    found = await findPostedRoot(deps, paperId);
  } catch (error) {
    // Posting without looking could put a second root in the channel: fail visibly and try again later.
    throw new TransientError(`Could not look for the interrupted thread post of ${paperId}`, {
      cause: error,
      hint: 'Sherpa needs channels:history to find a root posted just before a crash',
    });
  }
  deps.logger.warn({ paperId, found: Boolean(found) }, 'recovering a thread post interrupted by a crash');
  return found;
}
