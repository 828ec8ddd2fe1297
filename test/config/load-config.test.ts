import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors.js';

const VALID = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
  SLACK_APP_TOKEN: 'xapp-1-A1-2-def',
  SLACK_CHANNEL: 'C0123456789',
  APPROVERS: 'U0123456789,S0123456789',
};

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reports every missing variable at once, each with its form and where to get it', () => {
    const error = configError(() => loadConfig({}));
    expect(error.problems).toHaveLength(4);
    expect(error.message).toContain('SLACK_BOT_TOKEN is missing: expected a bot token starting with xoxb-');
    expect(error.message).toContain('OAuth & Permissions');
    expect(error.message).toContain(
      'SLACK_APP_TOKEN is missing: expected an app-level token starting with xapp-',
    );
    expect(error.message).toContain('connections:write');
    expect(error.message).toContain('SLACK_CHANNEL is missing');
    expect(error.message).toContain('APPROVERS is missing');
  });

  it('reports invalid values together with missing ones', () => {
    const error = configError(() =>
      loadConfig({
        SLACK_BOT_TOKEN: 'xapp-wrong-kind',
        SLACK_CHANNEL: 'general',
        APPROVERS: 'U0123456789,bob',
        LOG_LEVEL: 'loud',
        MAX_FIX_ROUNDS: 'many',
        SLACK_API_URL: 'not a url',
      }),
    );
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('SLACK_BOT_TOKEN is not valid'),
        expect.stringContaining('SLACK_APP_TOKEN is missing'),
        expect.stringContaining('SLACK_CHANNEL is not valid'),
        expect.stringContaining('APPROVERS is not valid'),
        expect.stringContaining('LOG_LEVEL is not valid ("loud")'),
        expect.stringContaining('MAX_FIX_ROUNDS is not valid ("many")'),
        expect.stringContaining('SLACK_API_URL is not valid'),
      ]),
    );
    expect(error.problems).toHaveLength(7);
  });

  it('never puts a token value in the error message', () => {
    const error = configError(() =>
      loadConfig({ ...VALID, SLACK_BOT_TOKEN: 'xoxb-has spaces-secret123', SLACK_CHANNEL: '' }),
    );
    expect(error.message).not.toContain('secret123');
  });

  it('reads a valid environment with defaults for everything else', () => {
    const config = loadConfig(VALID);
    expect(config.slack).toMatchObject({
      botToken: VALID.SLACK_BOT_TOKEN,
      appToken: VALID.SLACK_APP_TOKEN,
      apiUrl: undefined,
      channel: 'C0123456789',
      approvers: { users: ['U0123456789'], groups: ['S0123456789'] },
      watchdogSeconds: 120,
    });
    expect(config.dataDir).toBe('./data');
    expect(config.storage).toEqual({
      blob: { kind: 'file' },
      queue: { kind: 'sqlite' },
      index: { kind: 'sqlite' },
    });
  });

  it('keeps a pre-evolve SQS configuration working and refuses an evolve queue alone (issue 13)', () => {
    const three = {
      ...VALID,
      SQS_JUDGE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/sherpa-judge.fifo',
      SQS_CODEGEN_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/sherpa-codegen.fifo',
      SQS_RUN_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/sherpa-run.fifo',
    };
    expect(loadConfig(three).storage.queue).toEqual({
      kind: 'sqs',
      judgeUrl: three.SQS_JUDGE_QUEUE_URL,
      codegenUrl: three.SQS_CODEGEN_QUEUE_URL,
      runUrl: three.SQS_RUN_QUEUE_URL,
    });
    const evolveUrl = 'https://sqs.us-east-1.amazonaws.com/1/sherpa-evolve.fifo';
    expect(loadConfig({ ...three, SQS_EVOLVE_QUEUE_URL: evolveUrl }).storage.queue).toMatchObject({
      evolveUrl,
    });
    const error = configError(() => loadConfig({ ...VALID, SQS_EVOLVE_QUEUE_URL: evolveUrl }));
    expect(error.message).toContain('SQS_EVOLVE_QUEUE_URL needs SQS_JUDGE_QUEUE_URL');
  });

  it('takes the environment over the config file, and the file over the default', () => {
    const file = [
      'channel: C0FILE00001',
      'approvers: [U0FILE00001]',
      'timezone: Europe/Berlin',
      'arxiv:',
      '  pageSize: 250',
    ].join('\n');
    const readFile = (path: string) => {
      expect(path).toBe('/etc/sherpa.yml');
      return file;
    };
    const fromFile = loadConfig(
      {
        SLACK_BOT_TOKEN: VALID.SLACK_BOT_TOKEN,
        SLACK_APP_TOKEN: VALID.SLACK_APP_TOKEN,
        SHERPA_CONFIG: '/etc/sherpa.yml',
      },
      { readFile },
    );
    expect(fromFile.slack.channel).toBe('C0FILE00001');
    expect(fromFile.slack.approvers.users).toEqual(['U0FILE00001']);
    expect(fromFile.timezone).toBe('Europe/Berlin');
    expect(fromFile.sources.arxiv.pageSize).toBe(250);
    expect(fromFile.digest.schedule).toBe('0 9 * * *');

    const fromEnv = loadConfig(
      { ...VALID, SHERPA_CONFIG: '/etc/sherpa.yml', TIMEZONE: 'Asia/Tokyo', ARXIV_PAGE_SIZE: '100' },
      { readFile },
    );
    expect(fromEnv.slack.channel).toBe('C0123456789');
    expect(fromEnv.slack.approvers.users).toEqual(['U0123456789']);
    expect(fromEnv.timezone).toBe('Asia/Tokyo');
    expect(fromEnv.sources.arxiv.pageSize).toBe(100);
  });

  it('reports an unreadable or invalid config file alongside variable problems', () => {
    const unreadable = configError(() =>
      loadConfig(
        { SHERPA_CONFIG: '/nope.yml' },
        {
          readFile: () => {
            throw new Error('ENOENT');
          },
        },
      ),
    );
    expect(unreadable.problems[0]).toContain('SHERPA_CONFIG points to /nope.yml, which cannot be read');
    expect(unreadable.problems.length).toBe(5);
    const invalid = configError(() =>
      loadConfig({ ...VALID, SHERPA_CONFIG: '/x.yml' }, { readFile: () => 'chanel: C1' }),
    );
    expect(invalid.problems[0]).toContain('SHERPA_CONFIG file /x.yml');
  });

  it('points SLACK_API_URL at an emulator when set', () => {
    expect(loadConfig({ ...VALID, SLACK_API_URL: 'http://127.0.0.1:3000/api/' }).slack.apiUrl).toBe(
      'http://127.0.0.1:3000/api/',
    );
  });
});
