import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors.js';
import type { CoordinationStore } from '../../src/ports/coordination-store.js';
import { executeRun } from '../../src/runs/execute-run.js';
import { outboxEntry } from '../../src/runs/run-result-outbox.js';
import { findRun, updateRun } from '../../src/runs/run-records.js';
import { slackRunHarness, type SlackRunHarness } from '../support/slack-run-harness.js';
import { startSlackFake, type FakeMessage, type SlackFake } from '../support/slack-fake/index.js';

/**
 * Issue 10, found item 7: a finished run's result is posted exactly once, with the run's true outcome, whatever
 * Slack does. The real run worker, the embedded queue and store, the Slack reporter over the Web API, and the
 * protocol-level Slack fake (which injects the failures).
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

const textOf = (message: FakeMessage | undefined) =>
  `${message?.text ?? ''} ${JSON.stringify(message?.blocks ?? [])}`;

async function queueEmpty(harness: SlackRunHarness): Promise<boolean> {
  const depth = await harness.deps.runQueue.depth();
  return depth.visible + depth.inFlight === 0;
}

describe('the run result outbox', () => {
  it('posts the result on the next delivery after a transient Slack error, once, as succeeded', async () => {
    rig = slackRunHarness(slack);
    const { deps } = rig;
    const queued = await rig.approveInThread();
    slack.failNext('chat.postMessage', { status: 503 });

    await executeRun(deps, await rig.receive());
    // The run succeeded and says so; only the post is owed, and the message went back to the queue for it.
    const paper = await deps.papers.get(queued.paperId);
    expect(paper?.state).toBe('succeeded');
    expect(paper && findRun(paper, queued.runId)?.status).toBe('succeeded');
    expect(rig.runMessages(queued.threadTs, 'result')).toHaveLength(0);
    expect((await outboxEntry(deps, queued.runId))?.state).toBe('pending');

    rig.clock.advance(MINUTE);
    const redelivered = await rig.receive();
    expect(redelivered.attempt).toBe(2);
    await executeRun(deps, redelivered);

    const results = rig.runMessages(queued.threadTs, 'result');
    expect(results).toHaveLength(1);
    expect(textOf(results[0])).toContain('Run succeeded');
    expect(textOf(results[0])).not.toMatch(/runner.error|Run failed/);
    expect(await outboxEntry(deps, queued.runId)).toMatchObject({ state: 'posted', ts: results[0]?.ts });
    expect(await queueEmpty(rig)).toBe(true);
  });

  it('falls back to a plain line when Slack refuses the result for good, keeping the run succeeded', async () => {
    rig = slackRunHarness(slack);
    const { deps } = rig;
    const queued = await rig.approveInThread();
    slack.failNext('chat.postMessage', { body: { ok: false, error: 'invalid_blocks' } });

    await executeRun(deps, await rig.receive());

    const paper = await deps.papers.get(queued.paperId);
    expect(paper?.state).toBe('succeeded');
    expect(paper && findRun(paper, queued.runId)).toMatchObject({ status: 'succeeded' });
    expect(paper && findRun(paper, queued.runId)?.failureClass).toBeUndefined();
    const results = rig.runMessages(queued.threadTs, 'result');
    expect(results).toHaveLength(1);
    expect(results[0]?.text).toContain(`Run \`${queued.runId}\` succeeded`);
    expect(textOf(results[0])).not.toMatch(/runner.error|failed/);
    expect(await queueEmpty(rig)).toBe(true);
  });

  it('adopts a result posted just before its record failed instead of posting it again', async () => {
    let failed = false;
    rig = slackRunHarness(slack, {
      coordination: (store) =>
        new Proxy(store, {
          get(object, property, receiver) {
            const value = Reflect.get(object, property, receiver) as unknown;
            if (typeof value !== 'function') return value;
            if (property !== 'put') return (value as () => unknown).bind(object);
            return async (...args: Parameters<CoordinationStore['put']>) => {
              const stored = args[1] as { state?: string };
              if (!failed && args[0].startsWith('run-result/') && stored.state === 'posted') {
                failed = true;
                throw new TransientError('injected: the store is briefly unavailable');
              }
              return (value as CoordinationStore['put']).apply(object, args);
            };
          },
        }),
    });
    const { deps } = rig;
    const queued = await rig.approveInThread();

    await executeRun(deps, await rig.receive());
    expect(failed).toBe(true);
    expect(rig.runMessages(queued.threadTs, 'result')).toHaveLength(1);

    rig.clock.advance(MINUTE);
    await executeRun(deps, await rig.receive());

    const results = rig.runMessages(queued.threadTs, 'result');
    expect(results).toHaveLength(1);
    expect(await outboxEntry(deps, queued.runId)).toMatchObject({ state: 'posted', ts: results[0]?.ts });
    expect(slack.calls('conversations.replies').length).toBeGreaterThan(0);
  });

  it('adopts a progress message whose ts was never recorded instead of posting a second one', async () => {
    rig = slackRunHarness(slack);
    const { deps } = rig;
    const queued = await rig.approveInThread();
    const [posted] = rig.runMessages(queued.threadTs, 'progress');
    expect(posted).toBeDefined();
    // As if the process died between chat.postMessage and recording its ts.
    await updateRun(deps.papers, queued.paperId, queued.runId, { progressTs: undefined });

    await executeRun(deps, await rig.receive());

    const progress = rig.runMessages(queued.threadTs, 'progress');
    expect(progress).toHaveLength(1);
    expect(progress[0]?.edited).toBe(true);
    const paper = await deps.papers.get(queued.paperId);
    expect(paper && findRun(paper, queued.runId)?.progressTs).toBe(posted?.ts);
    expect(rig.runMessages(queued.threadTs, 'result')).toHaveLength(1);
  });
});
