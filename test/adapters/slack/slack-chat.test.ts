import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackChat, type SlackChatOptions } from '../../../src/adapters/slack/index.js';
import { ChatError } from '../../../src/ports/chat.js';
import { LogCapture } from '../../support/log-capture.js';
import { startSlackFake, type SlackFake } from '../../support/slack-fake/index.js';

let slack: SlackFake;
let logs: LogCapture;
let slept: number[];

beforeEach(async () => {
  slack = await startSlackFake();
  logs = new LogCapture();
  slept = [];
});
afterEach(async () => {
  await slack.close();
});

/** The adapter on the Slack fake; rate-limit waits are recorded instead of slept. */
function chat(options: Partial<SlackChatOptions> = {}): SlackChat {
  return new SlackChat({
    token: slack.identity.botToken,
    apiUrl: slack.apiUrl,
    logger: logs.logger('debug'),
    retryConfig: { retries: 0 },
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<ChatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChatError);
  return error as ChatError;
}

const channel = () => slack.identity.defaultChannel;

describe('SlackChat: rate limits', () => {
  it('waits out a 429 for its Retry-After and sends the call again', async () => {
    slack.failNext('chat.postMessage', { retryAfterSeconds: 7 });
    const posted = await chat().post({ channel: channel(), text: 'hello' });

    expect(slept).toEqual([7000]);
    expect(slack.calls('chat.postMessage').map((c) => c.response.status ?? 200)).toEqual([429, 200]);
    expect(slack.messages({ channel: channel() }).map((m) => m.ts)).toEqual([posted.ts]);
    expect(logs.find('Slack rate limit')[0]).toMatchObject({
      method: 'chat.postMessage',
      retryAfterMs: 7000,
    });
  });

  it('gives up after its retries with a retryable ChatError carrying the wait Slack asked for', async () => {
    slack.failNext('chat.update', { retryAfterSeconds: 2 });
    slack.failNext('chat.update', { retryAfterSeconds: 3 });
    const error = await failure(
      chat({ maxRateLimitRetries: 1 }).update({ channel: channel(), ts: '1.000001', text: 'x' }),
    );
    expect(error).toMatchObject({ code: 'ratelimited', retryable: true, refused: false, retryAfterMs: 3000 });
    expect(slept).toEqual([2000]);
    expect(slack.calls('chat.update')).toHaveLength(2);
  });

  it('does not sit out a Retry-After longer than its bound: the caller (a queue) retries later', async () => {
    slack.failNext('chat.postMessage', { retryAfterSeconds: 120 });
    const error = await failure(chat({ maxRateLimitWaitMs: 60_000 }).post({ channel: channel(), text: 'x' }));
    expect(error).toMatchObject({ code: 'ratelimited', retryable: true, retryAfterMs: 120_000 });
    expect(slept).toEqual([]);
    expect(slack.calls('chat.postMessage')).toHaveLength(1);
  });
});

describe('SlackChat: error classification', () => {
  it('a refusal by Slack is refused and, unless Slack says "try again", not retryable', async () => {
    const notFound = await failure(chat().post({ channel: 'C0NOWHERE00', text: 'x' }));
    expect(notFound).toMatchObject({ code: 'channel_not_found', refused: true, retryable: false });
    expect(notFound.message).toBe('Slack chat.postMessage failed: channel_not_found');

    slack.failNext('chat.postMessage', { body: { ok: false, error: 'ratelimited' } });
    expect(await failure(chat().post({ channel: channel(), text: 'x' }))).toMatchObject({
      code: 'ratelimited',
      refused: true,
      retryable: true,
    });

    slack.failNext('conversations.info', {
      body: { ok: false, error: 'missing_scope', needed: 'channels:read' },
    });
    expect(await failure(chat().channelInfo(channel()))).toMatchObject({
      code: 'missing_scope',
      needed: 'channels:read',
      retryable: false,
    });
  });

  it('a 5xx or a dropped connection is retryable and not a refusal: the post may have landed', async () => {
    slack.failNext('chat.postMessage', { status: 503 });
    expect(await failure(chat().post({ channel: channel(), text: 'x' }))).toMatchObject({
      code: 'slack_webapi_http_error',
      refused: false,
      retryable: true,
    });

    const unreachable = new SlackChat({
      token: slack.identity.botToken,
      apiUrl: 'http://127.0.0.1:9/api/',
      logger: logs.logger('silent'),
      retryConfig: { retries: 0 },
    });
    expect(await failure(unreachable.post({ channel: channel(), text: 'x' }))).toMatchObject({
      code: 'slack_webapi_request_error',
      refused: false,
      retryable: true,
    });
  });

  it('logs each call with its channel and thread, never the token', async () => {
    const root = await chat().post({ channel: channel(), text: 'root' });
    await chat().post({ channel: channel(), thread_ts: root.ts, text: 'reply' });
    const lines = logs.entries().filter((entry) => entry.msg === 'Slack call');
    expect(lines.at(-1)).toMatchObject({ method: 'chat.postMessage', channel: channel(), threadTs: root.ts });
    expect(logs.text()).not.toContain(slack.identity.botToken);
  });
});

describe('SlackChat: Block Kit', () => {
  it('posts, updates and whispers blocks exactly as given, sent as the form’s JSON text', async () => {
    const blocks = [
      {
        type: 'section' as const,
        text: { type: 'mrkdwn' as const, text: '*Digest* &amp; &lt;3 “quotes” 🚀' },
      },
      { type: 'divider' as const },
    ];
    const posted = await chat().post({ channel: channel(), text: 'digest', blocks });
    expect(slack.messages({ channel: channel() })[0]?.blocks).toEqual(blocks);

    const updated = [{ type: 'section' as const, text: { type: 'plain_text' as const, text: 'done ✓' } }];
    await chat().update({ channel: channel(), ts: posted.ts, text: 'done', blocks: updated });
    expect(slack.messages({ channel: channel() })[0]?.blocks).toEqual(updated);

    await chat().postEphemeral({
      channel: channel(),
      user: slack.identity.defaultUser,
      text: 'psst',
      blocks,
    });
    const [whisper] = slack.calls('chat.postEphemeral');
    expect(whisper?.args.blocks).toEqual(blocks);
    // The client's debug line of each body shows the JSON text it was given, not a deep copy of the blocks.
    const prefix = 'http request body: ';
    const bodies = logs
      .entries()
      .map((entry) => String(entry.msg))
      .filter((msg) => msg.startsWith(prefix))
      .map((msg) => JSON.parse(msg.slice(prefix.length)) as { blocks?: unknown });
    expect(bodies.map((body) => typeof body.blocks)).toEqual(['string', 'string', 'string']);
    // Slack echoes the posted and the updated message in its answer; the client's debug line of each answer
    // (a deep copy, serialised) no longer carries it, and what Sherpa reads of the answer is all there.
    const answers = logs
      .entries()
      .map((entry) => String(entry.msg))
      .filter((msg) => msg.startsWith('http request result: '));
    expect(answers.length).toBeGreaterThanOrEqual(3);
    expect(answers.join('\n')).not.toContain('Digest');
    expect(slack.calls('chat.postMessage')[0]?.response).toMatchObject({ message: { blocks } });
    expect(posted.ts).toBe(slack.messages({ channel: channel() })[0]?.ts);
  });
});

describe('SlackChat: find by metadata', () => {
  const tagged = (n: number) => ({
    channel: channel(),
    text: `message ${n}`,
    metadata: { event_type: 'sherpa_test', event_payload: { n } },
  });

  it('pages through channel history with Slack cursors until the message turns up', async () => {
    for (let n = 1; n <= 5; n++) await chat().post(tagged(n));
    const small = chat({ pageSizes: { history: 2, replies: 2 } });

    const found = await small.findByMetadata({
      channel: channel(),
      event_type: 'sherpa_test',
      matches: (payload) => payload.n === 1,
    });
    expect(found?.ts).toBe(slack.messages({ channel: channel() })[0]?.ts);
    const calls = slack.calls('conversations.history');
    expect(calls).toHaveLength(3);
    expect(calls[0]?.args.cursor).toBeUndefined();
    expect(calls[1]?.args.cursor).toEqual(expect.any(String));
    expect(calls.every((c) => String(c.args.include_all_metadata) === 'true')).toBe(true);
  });

  it('looks through no more than maxMessages, newest first', async () => {
    for (let n = 1; n <= 5; n++) await chat().post(tagged(n));
    const small = chat({ pageSizes: { history: 2, replies: 2 } });
    const query = { channel: channel(), event_type: 'sherpa_test', maxMessages: 3 };

    expect(await small.findByMetadata({ ...query, matches: (p) => p.n === 1 })).toBeUndefined();
    expect(slack.calls('conversations.history').map((c) => Number(c.args.limit))).toEqual([2, 1]);
    expect(await small.findByMetadata({ ...query, matches: (p) => p.n === 3 })).toBeDefined();
  });

  it('searches a thread with conversations.replies, paging too, and ignores other event types', async () => {
    const root = await chat().post({ channel: channel(), text: 'root' });
    for (let n = 1; n <= 4; n++) await chat().post({ ...tagged(n), thread_ts: root.ts });
    await chat().post({
      channel: channel(),
      thread_ts: root.ts,
      text: 'other',
      metadata: { event_type: 'sherpa_other', event_payload: { n: 4 } },
    });
    const small = chat({ pageSizes: { history: 2, replies: 2 } });

    const found = await small.findByMetadata({
      channel: channel(),
      thread_ts: root.ts,
      event_type: 'sherpa_test',
      matches: (payload) => payload.n === 4,
    });
    expect(found).toEqual({ channel: channel(), ts: slack.messages({ threadTs: root.ts })[4]?.ts });
    expect(slack.calls('conversations.replies')).toHaveLength(3);
    expect(
      await small.findByMetadata({
        channel: channel(),
        thread_ts: root.ts,
        event_type: 'sherpa_test',
        matches: (payload) => payload.n === 9,
      }),
    ).toBeUndefined();
  });
});

describe('SlackChat.findFile', () => {
  it('finds a file shared in a thread by its name, paging through conversations.replies', async () => {
    const root = await chat().post({ channel: channel(), text: 'root' });
    const reply = (n: number) => ({ channel: channel(), thread_ts: root.ts, text: `reply ${n}` });
    for (let n = 1; n <= 3; n++) await chat().post(reply(n));
    const { fileId } = await chat().uploadFile({
      channel: channel(),
      thread_ts: root.ts,
      filename: 'evolve-s_1-g2.png',
      content: Buffer.from('png'),
      title: 'val_loss by generation',
    });
    await chat().post(reply(4));
    const small = chat({ pageSizes: { history: 2, replies: 2 } });

    const where = { channel: channel(), thread_ts: root.ts };
    const found = await small.findFile({ ...where, filename: 'evolve-s_1-g2.png' });
    const share = slack.messages({ threadTs: root.ts }).find((m) => m.fileIds.length > 0);
    expect(found).toEqual({ fileId, ts: share?.ts });
    expect(slack.calls('conversations.replies')).toHaveLength(3);
    expect(await small.findFile({ ...where, filename: 'evolve-s_1-g1.png' })).toBeUndefined();
    // Another thread's file of the same name is not this thread's.
    const other = await chat().post({ channel: channel(), text: 'another root' });
    expect(await small.findFile({ ...where, thread_ts: other.ts, filename: 'evolve-s_1-g2.png' })).toBe(
      undefined,
    );
  });
});

describe('SlackChat: the rest of the port', () => {
  it('uploads a file into a thread, lists a user group, says who the bot is and what the channel is', async () => {
    const root = await chat().post({ channel: channel(), text: 'root' });
    const { fileId } = await chat().uploadFile({
      channel: channel(),
      thread_ts: root.ts,
      filename: 'train.py',
      content: 'print(1)\n',
      title: 'train.py',
    });
    expect(slack.uploads()).toEqual([
      expect.objectContaining({ fileId, filename: 'train.py', completed: true }),
    ]);
    expect(slack.messages({ threadTs: root.ts }).some((m) => m.fileIds.includes(fileId ?? '-'))).toBe(true);

    slack.addUserGroup('S0GROUP0001', ['U0ONE', 'U0TWO']);
    expect(await chat().userGroupMembers('S0GROUP0001')).toEqual(['U0ONE', 'U0TWO']);
    expect(await chat().identity()).toMatchObject({ userId: slack.identity.botUserId });
    expect(await chat().channelInfo(channel())).toMatchObject({ id: channel(), isMember: true });
  });
});
