import { LogLevel } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { createBoltLogger, maskTokenFields } from '../../../src/adapters/slack/bolt-logger.js';
import { LogCapture } from '../../support/log-capture.js';

describe('createBoltLogger', () => {
  it('writes Bolt lines through pino with the component and the level Sherpa runs at', () => {
    const logs = new LogCapture();
    const bolt = createBoltLogger(logs.logger('info'));
    bolt.debug('hidden');
    bolt.info('Now connected to Slack', { n: 1 });
    bolt.error('failed', new Error('boom'));
    expect(bolt.getLevel()).toBe(LogLevel.INFO);
    const entries = logs.entries();
    expect(entries.map((e) => e.msg)).toEqual(['Now connected to Slack {"n":1}', 'failed']);
    expect(entries[0]).toMatchObject({ component: 'slack', level: 30 });
    expect(entries[1]).toMatchObject({ err: { message: 'boom' } });
  });

  it('masks token fields and bearer headers inside free text', () => {
    expect(maskTokenFields('{"token":"verif123","text":"hi","access_token":"abc"}')).toBe(
      '{"token":"[redacted]","text":"hi","access_token":"[redacted]"}',
    );
    expect(maskTokenFields('headers: Authorization: Bearer xoxb-1-2-3')).toBe(
      'headers: Authorization: Bearer [redacted]',
    );
  });
});
