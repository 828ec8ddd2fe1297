import { webApi } from '@slack/bolt';
import type { ZodType } from 'zod';
import type { HomeView, ModalView } from '../../domain/block-kit.js';
import type { Logger } from '../../logging/logger.js';
import {
  type ChannelInfo,
  type Chat,
  ChatError,
  type ChatIdentity,
  type EphemeralMessage,
  type FileQuery,
  type FileUpload,
  type FoundFile,
  type MetadataQuery,
  type PostedMessage,
  type PostMessage,
  type UpdateMessage,
} from '../../ports/chat.js';
import { realSleep, type Sleep } from '../../ports/sleep.js';
import { withBlocksAsJson } from './blocks-as-json.js';
import { createBoltLogger } from './bolt-logger.js';
import { toChatError } from './web-api-error.js';
import { createWebApiFetch } from './web-api-fetch.js';
import {
  AuthTestSchema,
  ChannelInfoSchema,
  GroupMembersSchema,
  HistoryPageSchema,
  type HistoryPage,
  PostedSchema,
  UploadedSchema,
  ViewOpenedSchema,
} from './web-api-schemas.js';

export interface SlackChatOptions {
  /** The bot token (xoxb-…). Never logged. */
  token: string;
  /** SLACK_API_URL: the Web API's base URL (tests point it at the Slack fake). */
  apiUrl?: string;
  logger: Logger;
  /** A call that hangs would stall a job forever (default 30 s, as Bolt's own client). */
  timeoutMs?: number;
  /** The WebClient's retries of network errors and 5xx (default: its own, ten in about thirty minutes). */
  retryConfig?: webApi.RetryOptions;
  /** 429s retried after their Retry-After before the call fails (default 3). */
  maxRateLimitRetries?: number;
  /** A Retry-After longer than this is not waited out here: the call fails, retryable, for the queue to retry. */
  maxRateLimitWaitMs?: number;
  sleep?: Sleep;
  /** Messages asked for per history / replies page (Slack's recommended 200, and a whole thread). */
  pageSizes?: { history: number; replies: number };
  /**
   * The client's HTTP (default: undici's request on a keep-alive agent of its own, `createWebApiFetch`; its idle
   * connections keep no process alive, so the port needs no close).
   */
  fetch?: webApi.FetchFunction;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Thread roots are capped per day and digests are daily, so the latest 200 top-level messages cover days. */
const HISTORY_MAX_MESSAGES = 200;
/** A thread holds a paper's whole life: its code versions, runs and fixes are well under this. */
const REPLIES_MAX_MESSAGES = 1000;

type HistoryMessage = HistoryPage['messages'][number];

/** Where a call went, for the log line: never the token, never the text. */
interface CallContext {
  channel?: string;
  threadTs?: string;
  ts?: string;
}

/**
 * The Chat port on Slack's Web API. Every call goes through `call()`: rate limits are waited out here (Retry-After,
 * a few times; the WebClient rejects 429s instead of pausing its whole queue), each answer is parsed, each failure
 * becomes a classified ChatError, and each call is logged with its channel and thread.
 */
export class SlackChat implements Chat {
  private readonly client: webApi.WebClient;
  private readonly logger: Logger;
  private readonly sleep: Sleep;
  private readonly maxRateLimitRetries: number;
  private readonly maxRateLimitWaitMs: number;
  private readonly pageSizes: { history: number; replies: number };

  constructor(options: SlackChatOptions) {
    this.logger = options.logger.child({ component: 'chat' });
    this.sleep = options.sleep ?? realSleep;
    this.maxRateLimitRetries = options.maxRateLimitRetries ?? 3;
    this.maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 60_000;
    this.pageSizes = options.pageSizes ?? { history: HISTORY_MAX_MESSAGES, replies: REPLIES_MAX_MESSAGES };
    // Never add `headers` (slack.md §1.8 gotcha b); the token is the client's, not in any logged argument.
    this.client = new webApi.WebClient(options.token, {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      rejectRateLimitedCalls: true,
      logger: createBoltLogger(options.logger),
      ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
      fetch: options.fetch ?? createWebApiFetch().fetch,
    });
  }

  async post(message: PostMessage): Promise<PostedMessage> {
    const context = { channel: message.channel, threadTs: message.thread_ts };
    const reply = await this.call('chat.postMessage', context, PostedSchema, () =>
      this.client.chat.postMessage(withBlocksAsJson(message) as webApi.ChatPostMessageArguments),
    );
    if (!reply.ts) {
      throw new ChatError('Slack chat.postMessage answered without a ts', {
        code: 'no_ts',
        refused: false,
        retryable: true,
      });
    }
    return { channel: reply.channel ?? message.channel, ts: reply.ts };
  }

  async update(message: UpdateMessage): Promise<void> {
    await this.call('chat.update', { channel: message.channel, ts: message.ts }, undefined, () =>
      this.client.chat.update(withBlocksAsJson(message) as webApi.ChatUpdateArguments),
    );
  }

  async postEphemeral(message: EphemeralMessage): Promise<void> {
    const context = { channel: message.channel, threadTs: message.thread_ts };
    await this.call('chat.postEphemeral', context, undefined, () =>
      this.client.chat.postEphemeral(withBlocksAsJson(message) as webApi.ChatPostEphemeralArguments),
    );
  }

  async uploadFile(upload: FileUpload): Promise<{ fileId: string | undefined }> {
    const { channel, content, ...rest } = upload;
    const body = typeof content === 'string' ? { content } : { file: content };
    const answer = await this.call(
      'files.uploadV2',
      { channel, threadTs: upload.thread_ts },
      UploadedSchema,
      () =>
        this.client.filesUploadV2({ channel_id: channel, ...rest, ...body } as webApi.FilesUploadV2Arguments),
    );
    return { fileId: answer.files[0]?.files?.[0]?.id };
  }

  async findByMetadata(query: MetadataQuery): Promise<PostedMessage | undefined> {
    const found = await this.findMessage(query, (m) =>
      m.metadata?.event_type === query.event_type ? query.matches(m.metadata.event_payload ?? {}) : false,
    );
    return found ? { channel: query.channel, ts: found.ts } : undefined;
  }

  async findFile(query: FileQuery): Promise<FoundFile | undefined> {
    const named = (m: HistoryMessage) => m.files?.find((file) => file.name === query.filename);
    const found = await this.findMessage(query, (m) => named(m) !== undefined);
    const file = found && named(found);
    return found && file ? { fileId: file.id, ts: found.ts } : undefined;
  }

  /**
   * The first message that `matches`: newest first at the top level, a thread from its root. Pages follow
   * Slack's cursor until `maxMessages` have been looked through: Slack may answer with fewer messages than asked
   * for and a cursor to the rest.
   */
  private async findMessage(
    query: { channel: string; thread_ts?: string; maxMessages?: number },
    matches: (message: HistoryMessage) => boolean,
  ): Promise<HistoryMessage | undefined> {
    const inThread = query.thread_ts !== undefined;
    const max = query.maxMessages ?? (inThread ? REPLIES_MAX_MESSAGES : HISTORY_MAX_MESSAGES);
    const pageSize = inThread ? this.pageSizes.replies : this.pageSizes.history;
    const method = inThread ? 'conversations.replies' : 'conversations.history';
    const context = { channel: query.channel, threadTs: query.thread_ts };
    let seen = 0;
    let cursor: string | undefined;
    do {
      const limit = Math.min(pageSize, max - seen);
      const args = {
        channel: query.channel,
        limit,
        include_all_metadata: true,
        ...(cursor ? { cursor } : {}),
      };
      const page = await this.call(method, context, HistoryPageSchema, () =>
        query.thread_ts
          ? this.client.conversations.replies({ ...args, ts: query.thread_ts })
          : this.client.conversations.history(args),
      );
      const found = page.messages.slice(0, max - seen).find(matches);
      if (found) return found;
      seen += page.messages.length;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor && seen < max);
    return undefined;
  }

  async userGroupMembers(groupId: string): Promise<string[]> {
    const reply = await this.call('usergroups.users.list', {}, GroupMembersSchema, () =>
      this.client.usergroups.users.list({ usergroup: groupId }),
    );
    return reply.users;
  }

  async publishHome(userId: string, view: HomeView): Promise<void> {
    await this.call('views.publish', {}, undefined, () =>
      this.client.views.publish({ user_id: userId, view } as webApi.ViewsPublishArguments),
    );
  }

  async openView(triggerId: string, view: ModalView): Promise<{ viewId: string | undefined }> {
    const reply = await this.call('views.open', {}, ViewOpenedSchema, () =>
      this.client.views.open({ trigger_id: triggerId, view } as webApi.ViewsOpenArguments),
    );
    return { viewId: reply.view?.id };
  }

  async updateView(viewId: string, view: ModalView): Promise<void> {
    await this.call('views.update', {}, undefined, () =>
      this.client.views.update({ view_id: viewId, view } as webApi.ViewsUpdateArguments),
    );
  }

  async channelInfo(channel: string): Promise<ChannelInfo> {
    const reply = await this.call('conversations.info', { channel }, ChannelInfoSchema, () =>
      this.client.conversations.info({ channel }),
    );
    const info = reply.channel ?? {};
    return {
      id: info.id ?? channel,
      ...(info.name !== undefined ? { name: info.name } : {}),
      ...(info.is_member !== undefined ? { isMember: info.is_member } : {}),
      ...(info.is_archived !== undefined ? { isArchived: info.is_archived } : {}),
    };
  }

  async identity(): Promise<ChatIdentity> {
    const reply = await this.call('auth.test', {}, AuthTestSchema, () => this.client.auth.test());
    return {
      ...(reply.user_id !== undefined ? { userId: reply.user_id } : {}),
      ...(reply.user !== undefined ? { user: reply.user } : {}),
      ...(reply.team !== undefined ? { team: reply.team } : {}),
      ...(reply.team_id !== undefined ? { teamId: reply.team_id } : {}),
      ...(reply.response_metadata?.scopes ? { scopes: reply.response_metadata.scopes } : {}),
    };
  }

  /** One Web API call: waits out rate limits, parses the answer, classifies the failure, logs either way. */
  private async call<T>(
    method: string,
    context: CallContext,
    schema: ZodType<T> | undefined,
    send: () => Promise<unknown>,
  ): Promise<T> {
    const log = this.logger.child({ method, ...definedOnly(context) });
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      let answer: unknown;
      try {
        answer = await send();
      } catch (raw) {
        const error = toChatError(raw, method);
        const waitMs = error.code === 'ratelimited' ? error.retryAfterMs : undefined;
        if (waitMs !== undefined && attempt < this.maxRateLimitRetries && waitMs <= this.maxRateLimitWaitMs) {
          log.warn({ retryAfterMs: waitMs, attempt: attempt + 1 }, 'Slack rate limit: waiting as asked');
          await this.sleep(waitMs);
          continue;
        }
        log.debug(
          { code: error.code, retryable: error.retryable, ms: Date.now() - started },
          'Slack call failed',
        );
        throw error;
      }
      log.debug({ ms: Date.now() - started }, 'Slack call');
      if (!schema) return answer as T;
      const parsed = schema.safeParse(answer);
      if (parsed.success) return parsed.data;
      throw new ChatError(`Slack ${method} answered in an unexpected shape: ${parsed.error.message}`, {
        code: 'invalid_response',
        refused: false,
        retryable: false,
      });
    }
  }
}

function definedOnly(context: CallContext): CallContext {
  return {
    ...(context.channel !== undefined ? { channel: context.channel } : {}),
    ...(context.threadTs !== undefined ? { threadTs: context.threadTs } : {}),
    ...(context.ts !== undefined ? { ts: context.ts } : {}),
  };
}
