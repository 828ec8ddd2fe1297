import { describe, expect, it } from 'vitest';
import { quietAwsSdkNodeWarning } from '../../src/node-support.js';

describe('quietAwsSdkNodeWarning', () => {
  it('on Node 20 sets the AWS SDK’s documented switch and returns the notice for Sherpa’s log', () => {
    const env: NodeJS.ProcessEnv = {};
    const notice = quietAwsSdkNodeWarning(env, '20.20.2');
    expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
    expect(notice).toMatch(/Node 20\.20\.2 is supported until January 2027.*require Node 22/);
  });

  it('leaves an operator’s own setting alone', () => {
    const env: NodeJS.ProcessEnv = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' };
    quietAwsSdkNodeWarning(env, '20.20.2');
    expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('false');
  });

  it('does nothing on Node 22', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(quietAwsSdkNodeWarning(env, '22.23.5')).toBeUndefined();
    expect(env).toEqual({});
  });
});
