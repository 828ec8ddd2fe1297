import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenSearchHttp } from '../../src/adapters/opensearch/index.js';
import { SlackChat } from '../../src/adapters/slack/index.js';
import { manifestBotScopes } from '../../src/doctor/manifest-scopes.js';
import { createLogger } from '../../src/logging/logger.js';
import type { Chat } from '../../src/ports/chat.js';
import { openSearchIndexCheck } from '../../src/doctor/opensearch-index-check.js';
import { slackAppTokenCheck } from '../../src/doctor/slack-app-token-check.js';
import { slackAuthCheck } from '../../src/doctor/slack-auth-check.js';
import { slackChannelCheck } from '../../src/doctor/slack-channel-check.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../support/fake-opensearch.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';

describe('doctor: Slack (through the Slack fake)', () => {
  let slack: SlackFake;
  let client: Chat;
  const scopes = manifestBotScopes();
  beforeAll(async () => {
    slack = await startSlackFake();
  });
  afterAll(async () => slack.close());
  const chatWith = (token: string) =>
    new SlackChat({
      token,
      apiUrl: slack.apiUrl,
      logger: createLogger({ level: 'silent' }),
      retryConfig: { retries: 0 },
    });
  beforeEach(() => {
    client = chatWith(slack.identity.botToken);
    slack.workspace.grantedScopes = [...scopes];
  });

  it('reads the manifest’s bot scopes', () => {
    expect(scopes).toEqual(expect.arrayContaining(['chat:write', 'commands', 'channels:history']));
  });

  it('passes a token with every manifest scope, and names the scopes a token lacks', async () => {
    expect((await slackAuthCheck(client, scopes).run())[0]).toMatchObject({ status: 'ok' });
    slack.workspace.grantedScopes = scopes.filter((s) => s !== 'channels:history' && s !== 'files:write');
    const [row] = await slackAuthCheck(client, scopes).run();
    expect(row?.status).toBe('fail');
    expect(row?.detail).toMatch(/missing scopes: files:write, channels:history$/);
    expect(row?.fix).toContain('reinstall');
  });

  it('names a bad bot token and a bad app token', async () => {
    const wrong = chatWith('xoxb-wrong');
    const [bot] = await slackAuthCheck(wrong, scopes).run();
    expect(bot).toMatchObject({
      status: 'fail',
      target: 'SLACK_BOT_TOKEN',
      detail: 'auth.test failed: invalid_auth',
    });
    expect((await slackAppTokenCheck(slack.identity.appToken, slack.apiUrl).run())[0]?.status).toBe('ok');
    const [app] = await slackAppTokenCheck('xapp-wrong', slack.apiUrl).run();
    expect(app).toMatchObject({ status: 'fail', target: 'SLACK_APP_TOKEN' });
    expect(app?.fix).toContain('connections:write');
  });

  it('checks the channel exists and the bot is in it', async () => {
    expect((await slackChannelCheck(client, slack.identity.defaultChannel).run())[0]?.status).toBe('ok');
    slack.workspace.addChannel({ id: 'C0OUTSIDE01', name: 'ml-papers', isPrivate: false, isMember: false });
    const [outside] = await slackChannelCheck(client, 'C0OUTSIDE01').run();
    expect(outside).toMatchObject({
      status: 'fail',
      detail: 'the bot is not a member of #ml-papers',
      fix: 'In #ml-papers, run /invite @Sherpa',
    });
    const [missing] = await slackChannelCheck(client, 'C0NOSUCH001').run();
    expect(missing?.detail).toBe('channel C0NOSUCH001 not found (or private and the bot is not in it)');
    slack.failNext('conversations.info', {
      body: { ok: false, error: 'missing_scope', needed: 'channels:read' } as never,
    });
    const [scope] = await slackChannelCheck(client, slack.identity.defaultChannel).run();
    expect(scope?.detail).toBe('missing scope channels:read for conversations.info');
  });
});

describe('doctor: OpenSearch (through the fake)', () => {
  let fake: FakeOpenSearch;
  let http: OpenSearchHttp;
  beforeEach(async () => {
    fake = await startFakeOpenSearch();
    http = new OpenSearchHttp(new Client({ node: fake.url, maxRetries: 0 }), fake.url);
  });

  it('reports missing indices as created at startup, and a wrong mapping version as a failure', async () => {
    let rows = await openSearchIndexCheck(http, fake.url, 'sherpa').run();
    expect(rows.every((r) => r.status === 'ok')).toBe(true);
    expect(rows[0]?.detail).toContain('sherpa-papers-v1 will be created at startup');
    fake.model.createIndex('sherpa-papers-v0', { aliases: { 'sherpa-papers': {} } });
    rows = await openSearchIndexCheck(http, fake.url, 'sherpa').run();
    expect(rows[0]).toMatchObject({
      status: 'fail',
      detail: 'alias points to sherpa-papers-v0, this build needs sherpa-papers-v1',
    });
    await fake.close();
  });

  it('names the es:ESHttp action when the domain refuses the bot', async () => {
    fake.model.denyAll = {
      status: 403,
      reason:
        'User: arn:aws:sts::111122223333:assumed-role/sherpa-bot/i-0 is not authorized to perform: es:ESHttpGet',
    };
    const [row] = await openSearchIndexCheck(http, fake.url, 'sherpa').run();
    expect(row?.status).toBe('fail');
    expect(row?.detail).toContain('refused GET /_alias/sherpa-papers');
    expect(row?.fix).toContain('es:ESHttpGet');
    await fake.close();
  });
});
