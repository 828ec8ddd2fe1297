import { afterEach, describe, expect, it } from 'vitest';
import type { PaperStore } from '../../src/ports/paper-store.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { startSherpa, type SherpaHarness } from '../support/start-sherpa.js';

/** What Slack sees when handlers fail or the connection misbehaves. */
describe('resilience through the Slack fake', () => {
  let sherpa: SherpaHarness | undefined;
  afterEach(async () => {
    await sherpa?.stop();
    sherpa = undefined;
  });

  it('acks a command whose store call fails, and tells the user in one line without a stack trace', async () => {
    sherpa = await startSherpa({
      decorateDeps: (deps) => {
        const papers = Object.create(deps.papers) as PaperStore;
        papers.findBySourceKey = async () => {
          throw new Error('disk I/O error at /secret/path');
        };
        return { ...deps, papers };
      },
    });
    const sent = await sherpa.fake.sendSlashCommand('/paper', 'status 2401.00001');
    await sherpa.fake.waitForAck(sent.envelopeId);
    const reply = await sherpa.fake.waitForCall(
      'response_url',
      (c) => c.responseUrlId === sent.responseUrlId,
    );
    expect(reply.args).toEqual({
      response_type: 'ephemeral',
      text: ':x: An unexpected error occurred; the details are in the bot log.',
    });
    expect(sherpa.logs.find('command failed')[0]).toMatchObject({
      err: { message: 'disk I/O error at /secret/path' },
    });
  });

  /**
   * A listener that throws or hangs before acking, simulated as global middleware keyed on the button's value,
   * so it never depends on which action ids have real handlers: it stops the event before any listener runs.
   */
  function misbehaveOn(harness: SherpaHarness): void {
    harness.app.use(async ({ body, next }) => {
      const value = (body as { actions?: { value?: string }[] }).actions?.[0]?.value;
      if (value === 'throw-before-ack') throw new Error('listener bug');
      if (value === 'hang-before-ack') return new Promise<void>(() => undefined);
      await next();
    });
  }

  it('acks at once when a listener throws before acknowledging', async () => {
    sherpa = await startSherpa();
    misbehaveOn(sherpa);
    const sent = await sherpa.fake.clickButton({ actionId: ACTION_IDS.openLink, value: 'throw-before-ack' });
    const ack = await sherpa.fake.waitForAck(sent.envelopeId);
    // Well before the guard's 2 s deadline: the error handler acked it.
    expect(ack.latencyMs).toBeLessThan(1_500);
    expect(sherpa.logs.find('a Slack listener failed')).toHaveLength(1);
  });

  it('acks through the guard when a listener hangs without acknowledging', async () => {
    sherpa = await startSherpa({ ackDeadlineMs: 250 });
    misbehaveOn(sherpa);
    const sent = await sherpa.fake.clickButton({ actionId: ACTION_IDS.openLink, value: 'hang-before-ack' });
    const ack = await sherpa.fake.waitForAck(sent.envelopeId);
    expect(ack.latencyMs).toBeGreaterThanOrEqual(200);
    expect(ack.latencyMs).toBeLessThan(3_000);
    expect(sherpa.logs.find('acknowledging an envelope no listener acknowledged')).toHaveLength(1);
  });

  it('reconnects after a disconnect envelope and keeps answering commands', async () => {
    // socket-mode waits clientPingTimeout before reconnecting; 1 s keeps the test short.
    sherpa = await startSherpa({ env: { SLACK_CLIENT_PING_TIMEOUT_MS: '1000' } });
    sherpa.fake.sendDisconnect('refresh_requested');
    await sherpa.fake.waitForConnectionNumber(2, { timeoutMs: 10_000 });
    expect(sherpa.fake.calls('apps.connections.open')).toHaveLength(2);
    expect(sherpa.fake.connections()[0]?.closeCode).toBe(1000);
    const sent = await sherpa.fake.sendSlashCommand('/paper', 'help');
    const ack = await sherpa.fake.waitForAck(sent.envelopeId);
    expect(ack.connectionId).toBe(2);
    expect(sherpa.fake.openConnectionCount()).toBe(1);
  });

  it('reconnects after the connection drops without a close frame', async () => {
    sherpa = await startSherpa({ env: { SLACK_CLIENT_PING_TIMEOUT_MS: '1000' } });
    sherpa.fake.dropConnection();
    await sherpa.fake.waitForConnectionNumber(2, { timeoutMs: 10_000 });
    const sent = await sherpa.fake.sendSlashCommand('/scrape', 'help');
    await sherpa.fake.waitForAck(sent.envelopeId);
  });

  it('restarts a socket whose reconnect hangs, once it has been down longer than the watchdog allows', async () => {
    sherpa = await startSherpa({
      env: { SLACK_CLIENT_PING_TIMEOUT_MS: '1000', SLACK_WATCHDOG_SECONDS: '2' },
    });
    // The reconnect's apps.connections.open never answers (a dead network path).
    sherpa.fake.failNext('apps.connections.open', { hang: true });
    sherpa.fake.dropConnection();
    await sherpa.fake.waitForConnectionNumber(2, { timeoutMs: 10_000 });
    expect(sherpa.sherpa.slack.watchdog.restarts).toBe(1);
    expect(sherpa.fake.calls('apps.connections.open').map((c) => c.response.hang ?? false)).toEqual([
      false,
      true,
      false,
    ]);
    const sent = await sherpa.fake.sendSlashCommand('/paper', 'help');
    await sherpa.fake.waitForAck(sent.envelopeId);
    expect(sherpa.fatal).toEqual([]);
  });

  it('stops cleanly: the socket closes with 1000 and no connection is left open', async () => {
    const harness = await startSherpa();
    const { fake } = harness;
    await harness.sherpa.stop();
    // The fake sees the TCP close a moment after the client's close handshake completes.
    await expect.poll(() => fake.openConnectionCount()).toBe(0);
    expect(fake.connections()[0]?.closeCode).toBe(1000);
    await harness.stop();
  });
});
