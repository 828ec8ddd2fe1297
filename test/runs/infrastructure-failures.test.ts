import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeRun } from '../../src/runs/execute-run.js';
import { requestFix } from '../../src/runs/request-fix.js';
import { findRun } from '../../src/runs/run-records.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { slackRunHarness, type SlackRunHarness } from '../support/slack-run-harness.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';

/**
 * Issue 10, build item 2 and found item 11: a result whose sandbox does not confirm the metadata block is not a
 * success, and a failure that is Sherpa's own is shown as such, never offered to Claude to fix.
 */
const MINUTE = 60_000;

let slack: SlackFake;
let rig: SlackRunHarness | undefined;

beforeEach(async () => {
  slack = await startSlackFake();
});

afterEach(async () => {
  rig?.close();
  rig = undefined;
  await slack.close();
});

function fixRequestDeps(harness: SlackRunHarness) {
  const { deps } = harness;
  return {
    papers: deps.papers,
    blobs: deps.blobs,
    codegenQueue: { send: async () => ({ messageId: 'unused', duplicate: false }) } as never,
    config: deps.config,
    logger: deps.logger,
  };
}

describe('infrastructure failures', () => {
  it('reports a run whose metadata block was not confirmed as a containment failure, without metrics or a fix', async () => {
    rig = slackRunHarness(slack, { compute: { metadataBlocked: false } });
    const queued = await rig.approveInThread();

    await executeRun(rig.deps, await rig.receive());

    const paper = await rig.deps.papers.get(queued.paperId);
    expect(paper?.state).toBe('failed');
    const run = paper && findRun(paper, queued.runId);
    expect(run).toMatchObject({ status: 'failed', failureClass: 'containment_failed' });
    expect(run?.headline).toBeUndefined();
    const [result] = rig.runMessages(queued.threadTs, 'result');
    const shown = JSON.stringify(result?.blocks);
    expect(shown).toContain('Run failed: containment not confirmed');
    expect(shown).toContain('metadata service');
    expect(shown).toContain('infrastructure, not of the code');
    expect(shown).not.toContain('*Metrics*');
    expect(shown).not.toContain(ACTION_IDS.fixRun);
    expect(shown).toContain(ACTION_IDS.rerun);
    expect(slack.uploads()).toHaveLength(0);

    const fix = await requestFix(fixRequestDeps(rig), {
      paperId: queued.paperId,
      runId: queued.runId,
      userId: 'U0APPROVER1',
    });
    expect(fix).toMatchObject({ kind: 'refused', message: expect.stringContaining('infrastructure') });
  });

  it('shows a run that kept losing its worker as Sherpa’s failure, not the code’s', async () => {
    rig = slackRunHarness(slack);
    const queued = await rig.approveInThread();
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      await rig.receive();
      rig.clock.advance(6 * MINUTE);
    }
    await executeRun(rig.deps, await rig.receive());

    const paper = await rig.deps.papers.get(queued.paperId);
    expect(paper && findRun(paper, queued.runId)?.failureClass).toBe('runner_error');
    const [result] = rig.runMessages(queued.threadTs, 'result');
    const shown = JSON.stringify(result?.blocks);
    expect(shown).toContain('infrastructure, not of the code');
    expect(shown).not.toContain(ACTION_IDS.fixRun);
  });

  it('still offers the fix for a failure in the code itself', async () => {
    rig = slackRunHarness(slack, { compute: { fails: () => true } });
    const queued = await rig.approveInThread();

    await executeRun(rig.deps, await rig.receive());

    const paper = await rig.deps.papers.get(queued.paperId);
    expect(paper && findRun(paper, queued.runId)?.failureClass).toBe('compiler_error');
    const [result] = rig.runMessages(queued.threadTs, 'result');
    const shown = JSON.stringify(result?.blocks);
    expect(shown).toContain(ACTION_IDS.fixRun);
    expect(shown).not.toContain('infrastructure, not of the code');
  });
});
