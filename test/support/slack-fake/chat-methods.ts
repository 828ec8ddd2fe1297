import type { FakeMessage, FakeWorkspace } from './workspace.js';

export type ApiArgs = Record<string, unknown>;
export type ApiResponse = Record<string, unknown> & { ok: boolean };
export interface MethodContext {
  workspace: FakeWorkspace;
  /** `http://127.0.0.1:PORT` */
  baseUrl: string;
}
export type MethodHandler = (args: ApiArgs, context: MethodContext) => ApiResponse;

export const fail = (error: string, extra: Record<string, unknown> = {}): ApiResponse => ({
  ok: false,
  error,
  ...extra,
});

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** Slack's own limits (slack.md §4): 50 blocks a message, 40k characters of text. */
function checkMessageContent(args: ApiArgs): ApiResponse | undefined {
  const text = str(args.text);
  const blocks = args.blocks;
  if (blocks !== undefined) {
    if (!Array.isArray(blocks) || blocks.length > 50) return fail('invalid_blocks');
    if (
      blocks.some(
        (b) => typeof b !== 'object' || b === null || typeof (b as { type?: unknown }).type !== 'string',
      )
    ) {
      return fail('invalid_blocks');
    }
  }
  if (!text && !(Array.isArray(blocks) && blocks.length > 0) && args.attachments === undefined)
    return fail('no_text');
  if (text && text.length > 40_000) return fail('msg_too_long');
  return undefined;
}

/**
 * A message as the Web API shows it. A file share carries its files (id, name, title) and `upload: true`, as
 * `conversations.replies` shows a `files.uploadV2` into a thread.
 */
function render(message: FakeMessage, workspace: FakeWorkspace): Record<string, unknown> {
  const { identity } = workspace;
  const files = message.fileIds.map((id) => {
    const upload = workspace.uploads.get(id);
    return { id, name: upload?.filename, title: upload?.title ?? upload?.filename };
  });
  return {
    type: 'message',
    subtype: message.edited ? undefined : 'bot_message',
    text: message.text ?? '',
    user: message.user,
    bot_id: message.botId,
    app_id: identity.appId,
    team: identity.teamId,
    ts: message.ts,
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.metadata ? { metadata: message.metadata } : {}),
    ...(files.length > 0 ? { files, upload: true } : {}),
  };
}

const postMessage: MethodHandler = (args, { workspace }) => {
  const channel = str(args.channel);
  if (!channel || !workspace.canPostTo(channel)) return fail('channel_not_found');
  const problem = checkMessageContent(args);
  if (problem) return problem;
  const threadTs = str(args.thread_ts);
  if (threadTs && !/^\d+\.\d+$/.test(threadTs)) return fail('invalid_thread_ts');
  const message: FakeMessage = {
    channel,
    ts: workspace.nextTs(),
    threadTs,
    text: str(args.text),
    blocks: args.blocks as unknown[] | undefined,
    metadata: args.metadata,
    user: workspace.identity.botUserId,
    botId: workspace.identity.botId,
    reactions: [],
    fileIds: [],
    edited: false,
  };
  workspace.storeMessage(message);
  return { ok: true, channel, ts: message.ts, message: render(message, workspace) };
};

const update: MethodHandler = (args, { workspace }) => {
  const channel = str(args.channel);
  const ts = str(args.ts);
  if (!channel || !workspace.canPostTo(channel)) return fail('channel_not_found');
  const message = ts ? workspace.message(channel, ts) : undefined;
  if (!message) return fail('message_not_found');
  if (message.user !== workspace.identity.botUserId) return fail('cant_update_message');
  const problem = checkMessageContent(args);
  if (problem) return problem;
  message.text = str(args.text);
  message.blocks = args.blocks as unknown[] | undefined;
  if (args.metadata !== undefined) message.metadata = args.metadata;
  message.edited = true;
  return {
    ok: true,
    channel,
    ts: message.ts,
    text: message.text ?? '',
    message: render(message, workspace),
  };
};

const postEphemeral: MethodHandler = (args, { workspace }) => {
  const channel = str(args.channel);
  if (!channel || !workspace.canPostTo(channel)) return fail('channel_not_found');
  if (!str(args.user)) return fail('user_not_in_channel');
  const problem = checkMessageContent(args);
  if (problem) return problem;
  return { ok: true, message_ts: workspace.nextTs() };
};

const reactionsAdd: MethodHandler = (args, { workspace }) => {
  const channel = str(args.channel);
  const name = str(args.name);
  if (!channel || !workspace.canPostTo(channel)) return fail('channel_not_found');
  if (!name) return fail('invalid_name');
  const timestamp = str(args.timestamp);
  const message = timestamp ? workspace.message(channel, timestamp) : undefined;
  if (!message) return fail('message_not_found');
  if (message.reactions.includes(name)) return fail('already_reacted');
  message.reactions.push(name);
  return { ok: true };
};

/**
 * Top-level messages of a channel, newest first, from `oldest` on (slack.md §3: `channels:history`), a page at
 * a time. Message metadata is returned only with `include_all_metadata`, as on Slack.
 */
const conversationsHistory: MethodHandler = (args, { workspace }) => {
  const channel = str(args.channel);
  if (!channel || !workspace.channels.has(channel)) return fail('channel_not_found');
  const oldest = Number(str(args.oldest) ?? '0');
  const limit = Math.min(Number(str(args.limit) ?? '100'), 999);
  const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
  const all = [...workspace.messages.values()]
    .filter((m) => m.channel === channel && (!m.threadTs || m.threadTs === m.ts) && Number(m.ts) >= oldest)
    .sort((a, b) => Number(b.ts) - Number(a.ts));
  return page(all, args, limit, (m) => {
    const rendered = render(m, workspace);
    if (!withMetadata) delete rendered.metadata;
    return rendered;
  });
};

/**
 * One page of a listing, as Slack pages them: `limit` messages from the `cursor` on, and while more remain,
 * `has_more` with `response_metadata.next_cursor` naming where the next page starts.
 */
function page(
  all: FakeMessage[],
  args: ApiArgs,
  limit: number,
  show: (message: FakeMessage) => Record<string, unknown>,
): ApiResponse {
  const cursor = str(args.cursor);
  const start = cursor
    ? Number(
        Buffer.from(cursor, 'base64')
          .toString('utf8')
          .replace(/^offset:/, ''),
      )
    : 0;
  if (!Number.isInteger(start) || start < 0) return fail('invalid_cursor');
  const end = start + limit;
  const messages = all.slice(start, end).map(show);
  if (end >= all.length) return { ok: true, messages, has_more: false };
  const nextCursor = Buffer.from(`offset:${end}`).toString('base64');
  return { ok: true, messages, has_more: true, response_metadata: { next_cursor: nextCursor } };
}

/**
 * A thread: its root and its replies, oldest first (slack.md §3: `channels:history`). As on Slack, message
 * metadata is returned only with `include_all_metadata`.
 */
const conversationsReplies: MethodHandler = (args, { workspace }) => {
  const channel = str(args.channel);
  const ts = str(args.ts);
  if (!channel || !workspace.channels.has(channel)) return fail('channel_not_found');
  const root = ts ? workspace.message(channel, ts) : undefined;
  if (!ts || !root) return fail('thread_not_found');
  const limit = Math.min(Number(str(args.limit) ?? '1000'), 1000);
  const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
  const all = [...workspace.messages.values()]
    .filter((m) => m.channel === channel && (m.ts === ts || m.threadTs === ts))
    .sort((a, b) => Number(a.ts) - Number(b.ts));
  return page(all, args, limit, (m) => {
    const rendered = render(m, workspace);
    if (!withMetadata) delete rendered.metadata;
    return rendered;
  });
};

export const CHAT_METHODS: Record<string, MethodHandler> = {
  'conversations.history': conversationsHistory,
  'conversations.replies': conversationsReplies,
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'reactions.add': reactionsAdd,
};
