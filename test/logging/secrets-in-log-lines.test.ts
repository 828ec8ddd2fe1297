import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { configuredSecrets } from '../../src/logging/configured-secrets.js';
import { createLineScrubber } from '../../src/logging/scrub-line.js';
import { LogCapture } from '../support/log-capture.js';

/**
 * Issue 10, found item 9: each way a secret reached the log, logged through the real pino logger; the captured
 * output (what would be written to stdout) must hold none of them.
 */
const ENV = {
  SLACK_BOT_TOKEN: 'xoxb-1111111111-2222222222-configuredBotToken',
  SLACK_APP_TOKEN: 'xapp-1-A0FAKEAPP01-3333-configuredAppToken',
  SLACK_CHANNEL: 'C0123456789',
  APPROVERS: 'U0123456789',
  OPENREVIEW_USERNAME: 'sherpa@example.org',
  OPENREVIEW_PASSWORD: 'open sesame "42" & more',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD',
};
/** A second AWS secret key the config never saw: only its shape can give it away. */
const UNKNOWN_AWS_SECRET = 'q9Zc4rTb7N+Lm2Xv8PwY1sKd6Hg3Fj0Ae5Ui/Oo7';

function capture() {
  const config = loadConfig(ENV);
  const logs = new LogCapture();
  return { logs, logger: logs.logger('debug', configuredSecrets(config, ENV)) };
}

describe('log lines never carry a secret', () => {
  it('scrubs a token inside an error cause, after pino joins the causes', () => {
    const { logs, logger } = capture();
    const cause = new Error('auth failed for xoxp-4444444444-5555555555-userTokenInCause');
    const deeper = new Error(`login refused for ${ENV.OPENREVIEW_PASSWORD}`);
    (cause as Error & { cause?: unknown }).cause = deeper;
    logger.error({ err: new Error('could not post', { cause }) }, 'slack call failed');
    const text = logs.text();
    expect(text).toContain('could not post: auth failed for xoxp-…[redacted]');
    expect(text).not.toContain('userTokenInCause');
    expect(text).toContain('login refused for [redacted]');
    expect(text).not.toContain('open sesame');
  });

  it('scrubs an Authorization header deep inside err.config.headers, whatever its case or scheme', () => {
    const { logs, logger } = capture();
    const err = Object.assign(new Error('Request failed with status code 401'), {
      config: {
        url: 'https://api.openreview.net/notes?token=queryStringToken123',
        headers: {
          Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature',
          'x-amz-security-token': 'FwoGZXIvYXdzEBYaDExampleSessionTok',
          Cookie: 'openreview.accessToken=cookieValue987; other=1',
          'set-cookie': ['session=setCookieValue654; HttpOnly'],
        },
        nested: { deeper: { proxy: { authorization: 'opaque-credential-value' } } },
      },
      response: { data: '{"status":401,"token":"tokenInsideQuotedJson"}' },
    });
    logger.warn({ err }, 'openreview login failed');
    const text = logs.text();
    expect(logs.entries()[0]).toMatchObject({
      err: { config: { headers: { Authorization: '[redacted]', Cookie: '[redacted]' } } },
    });
    for (const secret of [
      'eyJhbGciOiJIUzI1NiJ9',
      'FwoGZXIvYXdzEBYaDExampleSessionTok',
      'cookieValue987',
      'setCookieValue654',
      'opaque-credential-value',
      'queryStringToken123',
      'tokenInsideQuotedJson',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('scrubs AWS access key ids and secret access keys, named or not, configured or not', () => {
    const { logs, logger } = capture();
    logger.info({
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', SecretAccessKey: ENV.AWS_SECRET_ACCESS_KEY },
    });
    logger.info({ detail: `aws_secret_access_key = ${UNKNOWN_AWS_SECRET}` }, 'profile parsed');
    logger.info(`temporary key ASIAY34FZKBOKMUTVV7A with ${UNKNOWN_AWS_SECRET} in free text`);
    logger.info({ sessionToken: ENV.AWS_SESSION_TOKEN });
    const text = logs.text();
    for (const secret of [
      'AKIAIOSFODNN7EXAMPLE',
      'ASIAY34FZKBOKMUTVV7A',
      ENV.AWS_SECRET_ACCESS_KEY,
      UNKNOWN_AWS_SECRET,
      'IQoJb3JpZ2luX2VjEJr',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('scrubs env.OPENREVIEW_PASSWORD by name and the configured password wherever it appears', () => {
    const { logs, logger } = capture();
    logger.info({ env: { OPENREVIEW_PASSWORD: ENV.OPENREVIEW_PASSWORD, LOG_LEVEL: 'debug' } }, 'env read');
    logger.info({ note: `retrying login with ${ENV.OPENREVIEW_PASSWORD}` }, 'login');
    logger.error({
      err: new Error('bad body', {
        cause: new Error(`body was ${JSON.stringify({ p: ENV.OPENREVIEW_PASSWORD })}`),
      }),
    });
    const text = logs.text();
    expect(text).toContain('"LOG_LEVEL":"debug"');
    expect(text).not.toContain('open sesame');
    expect(text).not.toContain(JSON.stringify(ENV.OPENREVIEW_PASSWORD).slice(1, -1));
  });

  it('scrubs Basic credentials and Slack tokens in free text', () => {
    const { logs, logger } = capture();
    logger.info('header was Authorization: Basic c2hlcnBhOmh1bnRlcjI= for the cluster');
    logger.info('pasted xoxb-9999999999-8888888888-pastedByMistake and xoxe.xoxp-1-refreshTokenValue');
    const text = logs.text();
    for (const secret of ['c2hlcnBhOmh1bnRlcjI', 'pastedByMistake', 'refreshTokenValue']) {
      expect(text).not.toContain(secret);
    }
  });

  it('leaves what is not a secret alone: counts, digests, ids and plain words', () => {
    const scrub = createLineScrubber([]);
    const line = JSON.stringify({
      msg: 'Basic setup done; token budget left',
      inputTokens: 1234,
      commit: '2fd4e1c67a2d28fced849ee1bb76e7391b93eb12',
      codeHash: 'a'.repeat(64),
      paperId: 'p_abc123def456',
      threadTs: '1763888400.000100',
    });
    expect(scrub(line)).toBe(line);
  });
});

describe('configuredSecrets', () => {
  it('takes the Slack tokens, the passwords and secret-named variables, but not numeric limits', () => {
    const env = { ...ENV, CODEGEN_MAX_TOKENS: '200000', GITHUB_TOKEN: 'ghp_exampleTokenValue' };
    const secrets = configuredSecrets(loadConfig(env), env);
    expect(secrets).toEqual(
      expect.arrayContaining([
        ENV.SLACK_BOT_TOKEN,
        ENV.SLACK_APP_TOKEN,
        ENV.OPENREVIEW_PASSWORD,
        ENV.AWS_SECRET_ACCESS_KEY,
        ENV.AWS_SESSION_TOKEN,
        'ghp_exampleTokenValue',
      ]),
    );
    expect(secrets).not.toContain('200000');
  });
});
