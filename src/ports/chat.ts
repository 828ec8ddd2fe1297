import type { HomeView, KnownBlock, ModalView } from '../domain/block-kit.js';

/**
 * The chat workspace Sherpa speaks in (Slack; `src/adapters/slack/`): everything a pipeline stage, job or doctor
 * check asks of it. Field names follow Slack's Web API (`thread_ts`, `unfurl_links`, `event_type`), so a message
 * reads the same here, in the builders and in Slack's documentation. Every method throws a `ChatError` when the
 * call fails, so callers classify failures without a Slack package.
 */
export interface Chat {
  /** `chat.postMessage`: a message in a channel, or a reply in a thread. */
  post(message: PostMessage): Promise<PostedMessage>;
  /** `chat.update`: replace the text and blocks of a message the bot posted. */
  update(message: UpdateMessage): Promise<void>;
  /** `chat.postEphemeral`: a message only `user` sees. */
  postEphemeral(message: EphemeralMessage): Promise<void>;
  /** `files.uploadV2`: a file shared into a channel or thread; returns the file's id. */
  uploadFile(upload: FileUpload): Promise<{ fileId: string | undefined }>;
  /**
   * The newest message (top level of the channel, or in the thread `thread_ts`) whose metadata is of
   * `event_type` and whose payload matches: how a post made just before a crash is found instead of posted twice.
   * Returns `undefined` when none is among the messages looked through.
   */
  findByMetadata(query: MetadataQuery): Promise<PostedMessage | undefined>;
  /**
   * A file named `filename` shared in the thread `thread_ts` (`conversations.replies`, the files on its messages):
   * how an upload made just before a crash is found instead of uploaded twice. Returns `undefined` when none is
   * among the messages looked through.
   */
  findFile(query: FileQuery): Promise<FoundFile | undefined>;
  /** `usergroups.users.list`: the user ids of a user group. */
  userGroupMembers(groupId: string): Promise<string[]>;
  /** `views.publish`: the Home tab of one user. */
  publishHome(userId: string, view: HomeView): Promise<void>;
  /** `views.open`: a modal, in answer to the interaction that carried `triggerId`. */
  openView(triggerId: string, view: ModalView): Promise<{ viewId: string | undefined }>;
  /** `views.update`: replace an open modal. */
  updateView(viewId: string, view: ModalView): Promise<void>;
  /** `conversations.info`: what the doctor and the startup check need to know about a channel. */
  channelInfo(channel: string): Promise<ChannelInfo>;
  /** `auth.test`: who the bot token belongs to, and the scopes Slack granted it (when Slack says). */
  identity(): Promise<ChatIdentity>;
}

/** Message metadata: an event type and a small payload, kept with the message and searchable later. */
export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

export interface MessageBody {
  /** Notification and accessibility fallback (and the whole message when there are no blocks). */
  text: string;
  blocks?: KnownBlock[];
  metadata?: MessageMetadata;
}

export interface PostMessage extends MessageBody {
  channel: string;
  thread_ts?: string;
  /** A thread reply that also shows in the channel. */
  reply_broadcast?: boolean;
  unfurl_links?: boolean;
  unfurl_media?: boolean;
}

export interface UpdateMessage extends MessageBody {
  channel: string;
  ts: string;
}

export interface EphemeralMessage {
  channel: string;
  user: string;
  thread_ts?: string;
  text: string;
  blocks?: KnownBlock[];
}

export interface FileUpload {
  channel: string;
  thread_ts?: string;
  filename: string;
  /** Text content (a snippet) or bytes (an image). */
  content: string | Buffer;
  title?: string;
  alt_text?: string;
  /** Slack's syntax highlighting for a text snippet, e.g. `python`. */
  snippet_type?: string;
}

export interface PostedMessage {
  channel: string;
  ts: string;
}

export interface MetadataQuery {
  channel: string;
  /** Search this thread (root and replies); without it, the channel's top-level messages. */
  thread_ts?: string;
  event_type: string;
  matches: (payload: Record<string, unknown>) => boolean;
  /** Messages looked through at most (newest first at the top level, the whole thread from its root). */
  maxMessages?: number;
}

export interface FileQuery {
  channel: string;
  thread_ts: string;
  /** The file's name as uploaded (`FileUpload.filename`). */
  filename: string;
  /** Messages looked through at most (the whole thread from its root). */
  maxMessages?: number;
}

export interface FoundFile {
  fileId: string;
  /** The message that shares it. */
  ts: string;
}

export interface ChannelInfo {
  id: string;
  name?: string;
  isMember?: boolean;
  isArchived?: boolean;
}

export interface ChatIdentity {
  userId?: string;
  user?: string;
  team?: string;
  teamId?: string;
  /** The token's scopes, when Slack reported them (the `x-oauth-scopes` header). */
  scopes?: string[];
}

/**
 * A failed chat call, classified where the Web API's error shapes are known (the adapter). Deliberately not a
 * `SherpaError`: a stage decides what a failure means for its work (`src/ports/chat-errors.ts` turns one into a
 * transient or permanent error for the queue), exactly as it did with the Web API's own errors.
 */
export class ChatError extends Error {
  /** Slack's error (`channel_not_found`, `ratelimited`, `missing_scope`), or the transport's (`request_error`). */
  readonly code: string;
  /**
   * Slack answered and refused (`ok: false`): the call definitely had no effect. A timeout, a dropped connection
   * or a 5xx is not a refusal: a post may have landed, and only a look at the channel can tell.
   */
  readonly refused: boolean;
  /** Worth trying again later: the network, a 5xx, a rate limit, Slack's own "try again" errors. */
  readonly retryable: boolean;
  /** How long Slack asked us to wait (a 429's Retry-After). */
  readonly retryAfterMs: number | undefined;
  /** For `missing_scope`: the scope the call needed. */
  readonly needed: string | undefined;

  constructor(
    message: string,
    details: {
      code: string;
      refused: boolean;
      retryable: boolean;
      retryAfterMs?: number;
      needed?: string;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ChatError';
    this.code = details.code;
    this.refused = details.refused;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs;
    this.needed = details.needed;
  }
}
