import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/logging/logger.js';
import { ConnectionWatchdog } from '../../../src/adapters/slack/connection-watchdog.js';

/** A stand-in for socket-mode's client: only the events and methods the watchdog uses. */
class StubClient extends EventEmitter {
  starts = 0;
  disconnects = 0;
  nextStart: 'connect' | 'hang' | 'fail' = 'connect';
  start = async (): Promise<unknown> => {
    this.starts += 1;
    if (this.nextStart === 'fail')
      throw Object.assign(new Error('invalid_auth'), { code: 'slack_webapi_platform_error' });
    if (this.nextStart === 'hang') return new Promise(() => undefined);
    queueMicrotask(() => this.emit('connected'));
    return {};
  };
  disconnect = async (): Promise<void> => {
    this.disconnects += 1;
    this.emit('disconnected');
  };
}

describe('ConnectionWatchdog', () => {
  let client: StubClient;
  let watchdog: ConnectionWatchdog;
  let gaveUp: number[];
  beforeEach(async () => {
    vi.useFakeTimers();
    client = new StubClient();
    gaveUp = [];
    watchdog = new ConnectionWatchdog({
      client,
      logger: createLogger({ level: 'silent' }),
      downLimitMs: 10_000,
      maxRestarts: 2,
      onGiveUp: (ms) => gaveUp.push(ms),
    });
    await watchdog.startExplicitly(() => client.start());
    await vi.advanceTimersByTimeAsync(0);
    watchdog.watch();
  });
  afterEach(() => {
    watchdog.stop();
    vi.useRealTimers();
  });

  it('leaves a socket alone that socket-mode brings back in time', async () => {
    client.emit('close');
    await vi.advanceTimersByTimeAsync(9_000);
    client.emit('connected');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.disconnects).toBe(0);
    expect(watchdog.restarts).toBe(0);
  });

  it('restarts a socket that stays down past the limit, and stops once it is back', async () => {
    client.nextStart = 'hang';
    client.emit('close');
    await vi.advanceTimersByTimeAsync(9_999);
    expect(client.disconnects).toBe(0);
    client.nextStart = 'connect';
    await vi.advanceTimersByTimeAsync(1);
    expect(client.disconnects).toBe(1);
    expect(client.starts).toBe(2);
    expect(watchdog.isConnected()).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(watchdog.restarts).toBe(1);
  });

  it('keeps restarting while starts hang, then gives up after maxRestarts', async () => {
    client.nextStart = 'hang';
    client.emit('close');
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(watchdog.restarts).toBe(2);
    expect(gaveUp).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(gaveUp).toEqual([30_000]);
  });

  it('turns a failing library-initiated reconnect into a log line, not an unhandled rejection', async () => {
    client.nextStart = 'fail';
    await expect(client.start()).resolves.toBeUndefined();
    await expect(watchdog.startExplicitly(() => client.start())).rejects.toThrow('invalid_auth');
  });

  it('does nothing after stop', async () => {
    watchdog.stop();
    client.emit('close');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.disconnects).toBe(0);
  });
});
