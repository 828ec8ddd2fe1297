import type { ThreadRef } from '../domain/paper.js';
import { findMessageByMetadata } from './find-message-by-metadata.js';
import { THREAD_ROOT_EVENT, type ThreadDeps } from './thread-deps.js';

/**
 * After a crash between `chat.postMessage` and recording its ts, look for the root in the channel by its
 * message metadata. Returns `undefined` when it is not there (the post never reached Slack) and throws when
 * Slack cannot be asked (the caller decides what to do).
 */
export async function findPostedRoot(deps: ThreadDeps, paperId: string): Promise<ThreadRef | undefined> {
  return findMessageByMetadata(deps, THREAD_ROOT_EVENT, (payload) => payload.paper_id === paperId);
}
