import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CANDIDATE_BLOCK_PREFIX } from '../../src/messages/digest-message.js';
import { DIGEST_EVENT } from '../../src/digest/post-digest.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { THREAD_ROOT_EVENT } from '../../src/threads/thread-deps.js';
import { ManualScheduler } from '../support/manual-scheduler.js';
import { ingestAccepted } from '../support/sample-papers.js';
import { type FakeMessage, startSlackFake, type SlackFake } from '../support/slack-fake/index.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';

/**
 * The digest through the real app and the Slack fake: the schedule fires (by hand, through the Scheduler in the
 * deps), one digest is posted, and neither a restart nor a second replica on the same DATA_DIR posts another.
 */
let fake: SlackFake;
let dataDir: string;
const running: SherpaHarness[] = [];
/** The digest's own schedule: the app schedules scrapes too, and only the digest should fire here. */
const DIGEST_CRON = '15 9 * * *';

beforeEach(async () => {
  fake = await startSlackFake();
  dataDir = mkdtempSync(join(tmpdir(), 'sherpa-digest-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((harness) => harness.stop()));
  await fake.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function boot(scheduler: ManualScheduler, env: Record<string, string> = {}): Promise<SherpaHarness> {
  const harness = await startSherpa({
    fake,
    env: {
      DATA_DIR: dataDir,
      APPROVERS: `${TEST_APPROVER},U0APPROVER2`,
      DIGEST_SCHEDULE: DIGEST_CRON,
      ...env,
    },
    decorateDeps: (deps) => ({ ...deps, scheduler, llm: undefined }),
  });
  running.push(harness);
  return harness;
}

const digests = () =>
  fake
    .messages()
    .filter((m) => (m.metadata as { event_type?: string } | undefined)?.event_type === DIGEST_EVENT);

const threadRoots = (paperId: string) =>
  fake
    .messages()
    .filter(
      (m) =>
        (m.metadata as { event_type?: string; event_payload?: { paper_id?: string } } | undefined)
          ?.event_type === THREAD_ROOT_EVENT &&
        (m.metadata as { event_payload?: { paper_id?: string } }).event_payload?.paper_id === paperId,
    );

describe('the daily digest, end to end', () => {
  it('posts once on schedule, and not again after a restart or from a second replica on the same DATA_DIR', async () => {
    const first = new ManualScheduler();
    const sherpa = await boot(first);
    const paper = await ingestAccepted(sherpa.deps.papers, 1, {}, new Date().toISOString());

    await first.fire(DIGEST_CRON);
    expect(digests()).toHaveLength(1);
    const digest = digests()[0] as FakeMessage;
    expect(JSON.stringify(digest.blocks)).toContain(`${CANDIDATE_BLOCK_PREFIX}${paper.id}`);
    expect(fake.calls('chat.postMessage').find((c) => c.args.metadata)?.args).toMatchObject({
      unfurl_links: 'false',
      unfurl_media: 'false',
    });

    await running.splice(0)[0]?.stop();
    const restarted = new ManualScheduler();
    const replica = new ManualScheduler();
    await boot(restarted);
    await boot(replica);
    await Promise.all([restarted.fire(DIGEST_CRON), replica.fire(DIGEST_CRON)]);
    expect(digests()).toHaveLength(1);
    expect(fake.unexpectedCalls()).toEqual([]);
  });

  it('posts one digest when two replicas fire at once', async () => {
    const a = new ManualScheduler();
    const b = new ManualScheduler();
    await boot(a);
    await boot(b);
    await Promise.all([a.fire(DIGEST_CRON), b.fire(DIGEST_CRON)]);
    expect(digests()).toHaveLength(1);
  });

  it('opens a candidate’s thread from the digest exactly once, for approvers only', async () => {
    const scheduler = new ManualScheduler();
    const sherpa = await boot(scheduler);
    const paper = await ingestAccepted(sherpa.deps.papers, 2, {}, new Date().toISOString());
    await scheduler.fire(DIGEST_CRON);
    const digest = digests()[0] as FakeMessage;

    const stranger = await fake.clickButton({
      actionId: ACTION_IDS.openThread,
      value: paper.id,
      message: digest,
    });
    await fake.waitForAck(stranger.envelopeId);
    const refusal = await fake.waitForCall(
      'chat.postEphemeral',
      (c) => c.args.user === fake.identity.defaultUser,
    );
    expect(refusal.args.text).toContain('Only approvers can open threads');
    expect(threadRoots(paper.id)).toHaveLength(0);

    // Two approvers click at once: one root, and the digest row now links to it instead of the button.
    const clicks = await Promise.all(
      [TEST_APPROVER, 'U0APPROVER2'].map((user) =>
        fake.clickButton({ actionId: ACTION_IDS.openThread, value: paper.id, user, message: digest }),
      ),
    );
    for (const click of clicks)
      expect((await fake.waitForAck(click.envelopeId)).latencyMs).toBeLessThan(3000);
    await expect.poll(async () => (await sherpa.deps.papers.get(paper.id))?.thread).toBeDefined();
    await expect
      .poll(() => fake.calls('chat.update').filter((c) => c.args.ts === digest.ts).length)
      .toBeGreaterThan(0);
    const root = threadRoots(paper.id);
    expect(root).toHaveLength(1);
    expect((await sherpa.deps.papers.get(paper.id))?.thread?.ts).toBe(root[0]?.ts);
    expect(JSON.stringify(root[0]?.blocks)).toContain('from the digest');
    const row = (
      fake.messages().find((m) => m.ts === digest.ts)?.blocks as { block_id?: string; accessory?: unknown }[]
    ).find((block) => block.block_id === `${CANDIDATE_BLOCK_PREFIX}${paper.id}`);
    expect(row?.accessory).toBeUndefined();
    expect(JSON.stringify(row)).toContain(`/p${root[0]?.ts.replace('.', '')}`);
  });

  it('/paper digest posts the digest now for an approver and refuses anyone else', async () => {
    const scheduler = new ManualScheduler();
    await boot(scheduler);
    const refused = await fake.sendSlashCommand('/paper', 'digest');
    const refusal = await fake.waitForCall('response_url', (c) => c.responseUrlId === refused.responseUrlId);
    expect(refusal.args).toMatchObject({ response_type: 'ephemeral' });
    expect(refusal.args.text).toContain('Only approvers can post the digest');
    expect(digests()).toHaveLength(0);

    const asked = await fake.sendSlashCommand('/paper', 'digest', TEST_APPROVER);
    const answer = await fake.waitForCall('response_url', (c) => c.responseUrlId === asked.responseUrlId);
    expect(digests()).toHaveLength(1);
    expect(answer.args.text).toContain(`/p${digests()[0]?.ts.replace('.', '')}`);
    // The scheduled digest still comes: /paper digest does not use up the day.
    await scheduler.fire(DIGEST_CRON);
    expect(digests()).toHaveLength(2);
  });
});
