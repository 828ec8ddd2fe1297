import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunJob } from '../../src/domain/jobs.js';
import { TransientError } from '../../src/errors.js';
import { createLogger } from '../../src/logging/logger.js';
import type { CoordinationStore } from '../../src/ports/coordination-store.js';
import type { ReceivedMessage } from '../../src/ports/work-queue.js';
import { executeRun } from '../../src/runs/execute-run.js';
import { requestRun } from '../../src/runs/request-run.js';
import { outboxEntry } from '../../src/runs/run-result-outbox.js';
import { findRun, updateRun } from '../../src/runs/run-records.js';
import { RUN_MESSAGE_EVENTS, SlackRunReporter } from '../../src/runs/slack-run-reporter.js';
import { runHarness, type RunHarness } from '../support/run-harness.js';
import { seedCodeReadyPaper } from '../support/run-fixtures.js';
import { SimulatedCompute } from '../support/simulated-compute.js';
import { startSlackFake, type FakeMessage, type SlackFake } from '../support/slack-fake/index.js';
import { VirtualClock } from '../support/virtual-clock.js';

/**
 * Issue 10, found item 7: a finished run's result is posted exactly once, with the run's true outcome, whatever
 * Slack does. The real run worker, the embedded queue and store, the Slack reporter over the Web API, and the
 * protocol-level Slack fake (which injects the failures).
 */
const ID = 'i-0123456789abcdef0';
const MINUTE = 60_000;

let slack: SlackFake;
let harness: RunHarness;
let clock: VirtualClock;

beforeEach(async () => {
  slack = await startSlackFake();
});

afterEach(async () => {
  harness?.close();
  await slack.close();
});

function start(options: { coordination?: (store: CoordinationStore) => CoordinationStore } = {}) {
  clock = new VirtualClock('2026-11-23T09:00:00.000Z');
  harness = runHarness({
    env: { SLACK_CHANNEL: slack.identity.defaultChannel },
    clock,
    compute: (blobs) =>
      new SimulatedCompute({
        clock,
        blobs,
        instanceIds: [ID],
        hourlyPriceUsd: 1.2,
        bootMs: MINUTE,
        stopMs: MINUTE,
        runMs: () => 4 * MINUTE,
        initialState: 'running',
      }),
  });
  const client = new webApi.WebClient(slack.identity.botToken, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    logLevel: webApi.LogLevel.ERROR,
  });
  Object.assign(harness.deps, {
    reporter: new SlackRunReporter({
      slack: client,
      channel: slack.identity.defaultChannel,
      logger: createLogger({ level: 'silent' }),
    }),
    ...(options.coordination ? { coordination: options.coordination(harness.deps.coordination) } : {}),
  });
  return { deps: harness.deps, client };
}

async function approveInThread(deps: RunHarness['deps'], client: webApi.WebClient) {
  const channel = slack.identity.defaultChannel;
  const root = await client.chat.postMessage({ channel, text: 'A paper thread' });
  const paper = await seedCodeReadyPaper(deps, 0, { thread: { channel, ts: root.ts as string } });
  const queued = await requestRun(deps, {
    kind: 'approve',
    paperId: paper.id,
    codeHash: paper.currentCodeHash as string,
    userId: 'U0APPROVER1',
  });
  if (queued.kind !== 'queued') throw new Error(`expected queued, got ${queued.kind}`);
  return { ...queued, threadTs: root.ts as string };
}

async function receive(): Promise<ReceivedMessage<RunJob>> {
  const [message] = await harness.deps.runQueue.receive({ max: 1, visibilitySeconds: 300 });
  if (!message) throw new Error('no run message');
  return message;
}

function runMessages(threadTs: string, kind: 'progress' | 'result'): FakeMessage[] {
  return slack
    .messages({ threadTs })
    .filter(
      (m) => (m.metadata as { event_type?: string } | undefined)?.event_type === RUN_MESSAGE_EVENTS[kind],
    );
}

const textOf = (message: FakeMessage | undefined) =>
  `${message?.text ?? ''} ${JSON.stringify(message?.blocks ?? [])}`;

describe('the run result outbox', () => {
  it('posts the result on the next delivery after a transient Slack error, once, as succeeded', async () => {
    const { deps, client } = start();
    const queued = await approveInThread(deps, client);
    slack.failNext('chat.postMessage', { status: 503 });

    await executeRun(deps, await receive());
    // The run succeeded and says so; only the post is owed, and the message went back to the queue for it.
    const paper = await deps.papers.get(queued.paper.id);
    expect(paper?.state).toBe('succeeded');
    expect(paper && findRun(paper, queued.run.runId)?.status).toBe('succeeded');
    expect(runMessages(queued.threadTs, 'result')).toHaveLength(0);
    expect((await outboxEntry(deps, queued.run.runId))?.state).toBe('pending');

    clock.advance(MINUTE);
    const redelivered = await receive();
    expect(redelivered.attempt).toBe(2);
    await executeRun(deps, redelivered);

    const results = runMessages(queued.threadTs, 'result');
    expect(results).toHaveLength(1);
    expect(textOf(results[0])).toContain('Run succeeded');
    expect(textOf(results[0])).not.toMatch(/runner.error|Run failed/);
    expect(await outboxEntry(deps, queued.run.runId)).toMatchObject({ state: 'posted', ts: results[0]?.ts });
    expect((await deps.runQueue.depth()).visible + (await deps.runQueue.depth()).inFlight).toBe(0);
  });

  it('falls back to a plain line when Slack refuses the result for good, keeping the run succeeded', async () => {
    const { deps, client } = start();
    const queued = await approveInThread(deps, client);
    slack.failNext('chat.postMessage', { body: { ok: false, error: 'invalid_blocks' } });

    await executeRun(deps, await receive());

    const paper = await deps.papers.get(queued.paper.id);
    expect(paper?.state).toBe('succeeded');
    expect(paper && findRun(paper, queued.run.runId)).toMatchObject({ status: 'succeeded' });
    expect(paper && findRun(paper, queued.run.runId)?.failureClass).toBeUndefined();
    const results = runMessages(queued.threadTs, 'result');
    expect(results).toHaveLength(1);
    expect(results[0]?.text).toContain(`Run \`${queued.run.runId}\` succeeded`);
    expect(textOf(results[0])).not.toMatch(/runner.error|failed/);
    expect((await deps.runQueue.depth()).visible + (await deps.runQueue.depth()).inFlight).toBe(0);
  });

  it('adopts a result posted just before its record failed instead of posting it again', async () => {
    let failed = false;
    const { deps, client } = start({
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
    const queued = await approveInThread(deps, client);

    await executeRun(deps, await receive());
    expect(failed).toBe(true);
    expect(runMessages(queued.threadTs, 'result')).toHaveLength(1);

    clock.advance(MINUTE);
    await executeRun(deps, await receive());

    const results = runMessages(queued.threadTs, 'result');
    expect(results).toHaveLength(1);
    expect(await outboxEntry(deps, queued.run.runId)).toMatchObject({ state: 'posted', ts: results[0]?.ts });
    expect(slack.calls('conversations.replies').length).toBeGreaterThan(0);
  });

  it('adopts a progress message whose ts was never recorded instead of posting a second one', async () => {
    const { deps, client } = start();
    const queued = await approveInThread(deps, client);
    const [posted] = runMessages(queued.threadTs, 'progress');
    expect(posted).toBeDefined();
    // As if the process died between chat.postMessage and recording its ts.
    await updateRun(deps.papers, queued.paper.id, queued.run.runId, { progressTs: undefined });

    await executeRun(deps, await receive());

    const progress = runMessages(queued.threadTs, 'progress');
    expect(progress).toHaveLength(1);
    expect(progress[0]?.edited).toBe(true);
    const paper = await deps.papers.get(queued.paper.id);
    expect(paper && findRun(paper, queued.run.runId)?.progressTs).toBe(posted?.ts);
    expect(runMessages(queued.threadTs, 'result')).toHaveLength(1);
  });
});
