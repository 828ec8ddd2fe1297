import type { KnownBlock } from '../domain/block-kit.js';

/** What a builder returns: the body of a `chat.postMessage` / `chat.update` without channel and ts. */
export interface MessageContent {
  /** Notification and accessibility fallback. */
  text: string;
  blocks: KnownBlock[];
}
