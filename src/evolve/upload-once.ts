import { randomUUID } from 'node:crypto';
import type { EvolveSearch, ThreadFile } from '../domain/evolve-search.js';
import type { ThreadRef } from '../domain/paper.js';
import { TransientError } from '../errors.js';
import { evolveFileUnproven } from '../messages/evolve-replies.js';
import type { FileUpload } from '../ports/chat.js';
import { isTransientSlackError, slackErrorCode, slackRefused } from '../ports/chat-errors.js';
import { recordOnSearch } from './record-on-search.js';
import type { SearchThreadDeps } from './search-thread-deps.js';

/**
 * An upload begun this long ago and never recorded is looked for in the thread: its uploader died, or its call
 * failed without an answer. Slack shares a completed upload into the thread within seconds, and a restarted bot
 * gets the search back only after the evolve queue's visibility timeout (60 s by default).
 */
export const STALE_UPLOAD_MS = 60_000;

/** What became of a file: put up now, found up after a crash, up (or settled) before, or said to be unknown. */
export type UploadOutcome = 'uploaded' | 'found' | 'done' | 'unproven';

export type ThreadFileUpload = Omit<FileUpload, 'channel' | 'thread_ts'>;

/**
 * Put a file in the search's thread exactly once, or visibly not (issue 13, item 6): the intent is recorded on
 * the search (keyed by the file name, which carries the search id) before `files.uploadV2`, the outcome after.
 * A caller that finds an intent without an outcome looks for the file in the thread (`conversations.replies`)
 * and records it when it is there, uploads again only when it is provably not, and, when the thread cannot be
 * read, says so in the thread instead of uploading blind. An intent younger than `STALE_UPLOAD_MS` may still be
 * under way: that is a TransientError, and the next look (the next step, or the job's retry) settles it.
 */
export async function uploadOnce(
  deps: SearchThreadDeps,
  searchId: string,
  thread: ThreadRef,
  file: ThreadFileUpload,
): Promise<UploadOutcome> {
  const name = file.filename;
  const search = await deps.searches.get(searchId);
  if (!search)
    throw new TransientError(`evolve search ${searchId} is not in the store`, { context: { searchId } });
  const before = search.threadFiles?.[name];
  if (before?.uploadedAt || before?.unprovenAt) return 'done';
  if (before) {
    const settled = await settleInterrupted(deps, searchId, thread, file, before);
    if (settled) return settled;
  }
  const claim: ThreadFile = {
    uploadingSince: deps.clock.now().toISOString(),
    attemptId: randomUUID(),
    attempts: (before?.attempts ?? 0) + 1,
  };
  const claimed = await recordOnSearch(deps.searches, searchId, (current) =>
    // Someone else began or settled it since we read: theirs stands.
    current.threadFiles?.[name]?.attemptId !== before?.attemptId ? undefined : withFile(current, name, claim),
  );
  if (claimed?.threadFiles?.[name]?.attemptId !== claim.attemptId) {
    throw new TransientError(`another worker is putting ${name} in the thread`, { context: { searchId } });
  }
  let fileId: string | undefined;
  try {
    ({ fileId } = await deps.chat.uploadFile({ channel: thread.channel, thread_ts: thread.ts, ...file }));
  } catch (error) {
    // Slack refused: nothing was shared, so the intent goes back to what it was and the next try needs no look.
    if (slackRefused(error))
      await recordOnSearch(deps.searches, searchId, (current) =>
        ours(current, name, claim) ? withFile(current, name, before) : undefined,
      );
    throw error;
  }
  const uploadedAt = deps.clock.now().toISOString();
  await recordOnSearch(deps.searches, searchId, (current) =>
    ours(current, name, claim)
      ? withFile(current, name, { ...claim, uploadedAt, ...(fileId ? { fileId } : {}) })
      : undefined,
  );
  if (claim.attempts > 1)
    deps.logger.warn({ searchId, file: name, attempts: claim.attempts }, 'uploaded again: not in the thread');
  return 'uploaded';
}

/**
 * An upload begun before and never recorded: found in the thread (recorded now), provably not there
 * (undefined: upload it again), or not knowable (said in the thread and recorded as such).
 */
async function settleInterrupted(
  deps: SearchThreadDeps,
  searchId: string,
  thread: ThreadRef,
  file: ThreadFileUpload,
  begun: ThreadFile,
): Promise<UploadOutcome | undefined> {
  const name = file.filename;
  const ageMs = deps.clock.now().getTime() - Date.parse(begun.uploadingSince);
  if (ageMs < STALE_UPLOAD_MS) {
    throw new TransientError(
      `an upload of ${name} began ${Math.round(ageMs / 1000)} s ago; looking again later`,
      {
        context: { searchId },
      },
    );
  }
  let found;
  try {
    found = await deps.chat.findFile({ channel: thread.channel, thread_ts: thread.ts, filename: name });
  } catch (error) {
    if (isTransientSlackError(error)) {
      throw new TransientError(`could not look for ${name} in the thread`, {
        cause: error,
        context: { searchId },
      });
    }
    // The thread cannot be read: neither a second upload nor silence, but a line that says so.
    const code = slackErrorCode(error) ?? 'unknown_error';
    await deps.chat.post({
      channel: thread.channel,
      thread_ts: thread.ts,
      text: evolveFileUnproven(name, file.title ?? name, code),
      unfurl_links: false,
      unfurl_media: false,
    });
    const unprovenAt = deps.clock.now().toISOString();
    await recordOnSearch(deps.searches, searchId, (current) =>
      ours(current, name, begun) ? withFile(current, name, { ...begun, unprovenAt }) : undefined,
    );
    deps.logger.warn(
      { err: error, searchId, file: name },
      'could not tell whether an interrupted upload got there',
    );
    return 'unproven';
  }
  if (!found) return undefined;
  const uploadedAt = deps.clock.now().toISOString();
  await recordOnSearch(deps.searches, searchId, (current) =>
    ours(current, name, begun)
      ? withFile(current, name, { ...begun, uploadedAt, fileId: found.fileId })
      : undefined,
  );
  deps.logger.info({ searchId, file: name, fileId: found.fileId }, 'found an upload made before a crash');
  return 'found';
}

function ours(search: EvolveSearch, name: string, attempt: ThreadFile): boolean {
  const current = search.threadFiles?.[name];
  return current?.attemptId === attempt.attemptId && !current.uploadedAt && !current.unprovenAt;
}

/** The search's files with `name` set to `file`, or removed when `file` is undefined. */
function withFile(search: EvolveSearch, name: string, file: ThreadFile | undefined) {
  const { [name]: _replaced, ...others } = search.threadFiles ?? {};
  return { threadFiles: file ? { ...others, [name]: file } : others };
}
