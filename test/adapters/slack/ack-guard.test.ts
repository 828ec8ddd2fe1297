import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/logging/logger.js';
import { ackGuardAnswer } from '../../../src/messages/interaction-refusals.js';
import { AckGuard, type SlackEventArgs } from '../../../src/adapters/slack/ack-guard.js';

/** Emits `slack_event` like socket-mode, and `outgoing_message` whenever an ack is sent. */
class StubSocket extends EventEmitter {
  sent: { envelope_id: string; payload: Record<string, unknown> }[] = [];
  deliver(envelopeId: string, type: string, body: object = {}): SlackEventArgs {
    const args: SlackEventArgs = {
      envelope_id: envelopeId,
      type,
      body,
      ack: async (response = {}) => {
        const message = { envelope_id: envelopeId, payload: response };
        this.emit('outgoing_message', message);
        this.sent.push(message);
      },
    };
    this.emit('slack_event', args);
    return args;
  }
}

describe('AckGuard', () => {
  let socket: StubSocket;
  let guard: AckGuard;
  beforeEach(() => {
    vi.useFakeTimers();
    socket = new StubSocket();
    guard = new AckGuard(socket, createLogger({ level: 'silent' }), 2_000, ackGuardAnswer);
  });
  afterEach(() => {
    guard.stop();
    vi.useRealTimers();
  });

  it('does nothing for an envelope its listener acked', async () => {
    const args = socket.deliver('e1', 'interactive');
    await args.ack();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(socket.sent).toHaveLength(1);
    expect(guard.pendingCount()).toBe(0);
  });

  it('acks an envelope nobody acked before the deadline, with a visible note for slash commands', async () => {
    socket.deliver('e2', 'slash_commands');
    socket.deliver('e3', 'events_api');
    await vi.advanceTimersByTimeAsync(1_999);
    expect(socket.sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.sent).toEqual([
      {
        envelope_id: 'e2',
        payload: { response_type: 'ephemeral', text: expect.stringContaining('longer than expected') },
      },
      { envelope_id: 'e3', payload: {} },
    ]);
    expect(guard.pendingCount()).toBe(0);
  });

  it('acks at once when a listener failed, and only once', async () => {
    const body = { command: '/paper' };
    socket.deliver('e4', 'slash_commands', body);
    await guard.ackNow(body);
    await guard.ackNow(body);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(socket.sent).toEqual([
      {
        envelope_id: 'e4',
        payload: { response_type: 'ephemeral', text: expect.stringContaining('hit a problem') },
      },
    ]);
  });

  it('tells follow-up work when no envelope waits for its ack any more, or when the wait is up', async () => {
    await guard.whenIdle(1_000);
    const first = socket.deliver('e10', 'slash_commands');
    const second = socket.deliver('e11', 'interactive');
    let idle = false;
    const waiting = guard.whenIdle(1_000).then(() => (idle = true));
    await first.ack();
    await vi.advanceTimersByTimeAsync(0);
    expect(idle).toBe(false);
    await second.ack();
    await waiting;
    expect(idle).toBe(true);

    socket.deliver('e12', 'slash_commands');
    let timedOut = false;
    const capped = guard.whenIdle(500).then(() => (timedOut = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(timedOut).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await capped;
    expect(timedOut).toBe(true);
  });
});
