import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_IDS, VIEW_IDS } from '../../src/messages/action-ids.js';
import { startSherpa, type SherpaHarness } from '../support/start-sherpa.js';

/** Interactions Sherpa did not issue are acked and answered, and no listener ever acts on them. */
describe('interactions through the Slack fake', () => {
  let sherpa: SherpaHarness;
  const reached: string[] = [];

  beforeAll(async () => {
    sherpa = await startSherpa({ ackDeadlineMs: 300 });
    // A real listener for a known id: it must not run for anything the gate refuses.
    sherpa.app.action(ACTION_IDS.generateCode, async ({ ack, action }) => {
      await ack();
      reached.push((action as { value?: string }).value ?? '');
    });
  });
  afterAll(async () => {
    await sherpa?.stop();
  });

  it('acks a button with an unknown action id and tells the clicker ephemerally, without acting', async () => {
    const sent = await sherpa.fake.clickButton({ actionId: 'paper.approve_v0', value: 'p_123' });
    const ack = await sherpa.fake.waitForAck(sent.envelopeId);
    expect(ack.payload).toEqual({});
    const answer = await sherpa.fake.waitForCall('chat.postEphemeral');
    expect(answer.args).toMatchObject({
      channel: sherpa.fake.identity.defaultChannel,
      user: sherpa.fake.identity.defaultUser,
      text: expect.stringContaining('no longer active'),
    });
    expect(reached).toEqual([]);
  });

  it('refuses a forged block_actions payload that lacks Slack fields, even with a known action id', async () => {
    const before = sherpa.fake.calls('chat.postEphemeral').length;
    const sent = await sherpa.fake.sendRawEnvelope('interactive', {
      type: 'block_actions',
      user: { id: sherpa.fake.identity.defaultUser },
      channel: { id: sherpa.fake.identity.defaultChannel },
      team: { id: sherpa.fake.identity.teamId },
      actions: [{ value: 'p_123' }],
    });
    await sherpa.fake.waitForAck(sent.envelopeId);
    const answer = await sherpa.fake.waitForCall(
      'chat.postEphemeral',
      () => sherpa.fake.calls('chat.postEphemeral').length > before,
    );
    expect(answer.args.text).toContain('could not read that interaction');
    expect(reached).toEqual([]);
  });

  it('still lets a known action through to its listener', async () => {
    const sent = await sherpa.fake.clickButton({ actionId: ACTION_IDS.generateCode, value: 'p_known' });
    await sherpa.fake.waitForAck(sent.envelopeId);
    await expect.poll(() => reached).toEqual(['p_known']);
  });

  it('answers a submission of an unknown view inside the modal', async () => {
    const sent = await sherpa.fake.submitView({ callbackId: 'old.form' });
    const ack = await sherpa.fake.waitForAck(sent.envelopeId);
    expect(ack.payload).toMatchObject({
      response_action: 'update',
      view: {
        type: 'modal',
        blocks: [{ text: { text: 'That form is no longer active, so nothing was changed.' } }],
      },
    });
  });

  it('acks a known view callback whose listener is missing through the ack guard, never leaving it to time out', async () => {
    const sent = await sherpa.fake.submitView({ callbackId: VIEW_IDS.rejectReason });
    const ack = await sherpa.fake.waitForAck(sent.envelopeId, { timeoutMs: 3_000 });
    expect(ack.latencyMs).toBeLessThan(3_000);
  });

  it('refuses a slash command the app does not own', async () => {
    const sent = await sherpa.fake.sendSlashCommand('/deploy', 'prod');
    const ack = await sherpa.fake.waitForAck(sent.envelopeId);
    expect(ack.payload).toEqual({
      response_type: 'ephemeral',
      text: expect.stringContaining('does not handle that command'),
    });
  });

  it('acks an envelope whose payload Bolt cannot even route', async () => {
    const sent = await sherpa.fake.sendRawEnvelope('interactive', {
      type: 'something_new',
      user: { id: 'U1' },
    });
    const ack = await sherpa.fake.waitForAck(sent.envelopeId, { timeoutMs: 3_000 });
    expect(ack.latencyMs).toBeLessThan(3_000);
  });

  it('publishes the Home tab when it is opened', async () => {
    const user = 'U0HOMEUSER1';
    await sherpa.fake.sendEvent({ type: 'app_home_opened', user, channel: 'D0HOME0001', tab: 'home' });
    await sherpa.fake.waitForCall('views.publish', (c) => c.args.user_id === user);
    const home = sherpa.fake.homeView(user);
    expect(JSON.stringify(home?.blocks)).toContain('Nothing is waiting for a person');
  });

  it('answers a mention with help in the thread', async () => {
    const ts = '1763888400.000200';
    const sent = await sherpa.fake.sendEvent({
      type: 'app_mention',
      user: sherpa.fake.identity.defaultUser,
      text: `<@${sherpa.fake.identity.botUserId}> what can you do?`,
      channel: sherpa.fake.identity.defaultChannel,
      ts,
    });
    await sherpa.fake.waitForAck(sent.envelopeId);
    const reply = await sherpa.fake.waitForCall('chat.postMessage', (c) => c.args.thread_ts === ts);
    expect(reply.args.text).toContain('/paper status <id>');
  });
});
