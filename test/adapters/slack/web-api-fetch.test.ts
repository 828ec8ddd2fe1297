import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebApiFetch, type WebApiFetch } from '../../../src/adapters/slack/web-api-fetch.js';
import { startSlackFake, type SlackFake } from '../../support/slack-fake/index.js';

/**
 * The Web API client's transport on undici's `request` (issue 14, item 3) must look to the client exactly as
 * fetch did: the call reaches Slack with its arguments and token, the answer's JSON and headers come back, and
 * Slack's refusals (an error body, a rate limit, an HTTP error) surface as the client's usual errors.
 */
describe('createWebApiFetch', () => {
  let fake: SlackFake;
  let transport: WebApiFetch;
  let client: webApi.WebClient;
  beforeEach(async () => {
    fake = await startSlackFake();
    transport = createWebApiFetch();
    client = new webApi.WebClient(fake.identity.botToken, {
      slackApiUrl: fake.apiUrl,
      fetch: transport.fetch,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  });
  afterEach(async () => {
    await transport.close();
    await fake.close();
  });

  it('posts a message with its blocks and returns Slack’s answer', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Digest* & <friends>' } }];
    const posted = await client.chat.postMessage({
      channel: fake.identity.defaultChannel,
      text: 'hi',
      blocks,
    });
    expect(posted).toMatchObject({ ok: true, channel: fake.identity.defaultChannel, ts: expect.any(String) });
    const [call] = fake.calls('chat.postMessage');
    expect(call?.args).toMatchObject({ channel: fake.identity.defaultChannel, text: 'hi' });
    expect(fake.messages({ channel: fake.identity.defaultChannel })[0]?.blocks).toEqual(blocks);
    expect(fake.unexpectedCalls()).toEqual([]);
  });

  it('surfaces Slack’s refusals as the client’s errors', async () => {
    fake.failNext('chat.postMessage', { body: { ok: false, error: 'channel_not_found' } });
    await expect(client.chat.postMessage({ channel: 'C0NOWHERE01', text: 'x' })).rejects.toMatchObject({
      code: webApi.ErrorCode.PlatformError,
      data: { error: 'channel_not_found' },
    });
    fake.failNext('chat.postMessage', {
      status: 429,
      retryAfterSeconds: 7,
      body: { ok: false, error: 'ratelimited' },
    });
    await expect(
      client.chat.postMessage({ channel: fake.identity.defaultChannel, text: 'x' }),
    ).rejects.toMatchObject({
      code: webApi.ErrorCode.RateLimitedError,
      retryAfter: 7,
    });
    fake.failNext('chat.postMessage', { status: 500, body: { ok: false, error: 'fatal_error' } });
    await expect(
      client.chat.postMessage({ channel: fake.identity.defaultChannel, text: 'x' }),
    ).rejects.toMatchObject({
      code: webApi.ErrorCode.HTTPError,
      statusCode: 500,
    });
  });

  it('refuses a wrong token the way Slack does', async () => {
    const stranger = new webApi.WebClient('xoxb-not-the-bot', {
      slackApiUrl: fake.apiUrl,
      fetch: transport.fetch,
      retryConfig: { retries: 0 },
    });
    await expect(stranger.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    expect(await client.auth.test()).toMatchObject({ ok: true });
  });
});
