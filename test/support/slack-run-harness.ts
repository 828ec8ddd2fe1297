import type { RunJob } from '../../src/domain/jobs.js';
import { SlackChat } from '../../src/adapters/slack/index.js';
import type { Chat } from '../../src/ports/chat.js';
import { createLogger } from '../../src/logging/logger.js';
import type { CoordinationStore } from '../../src/ports/coordination-store.js';
import type { ReceivedMessage } from '../../src/ports/work-queue.js';
import { requestRun } from '../../src/runs/request-run.js';
import { RUN_MESSAGE_EVENTS, SlackRunReporter } from '../../src/runs/slack-run-reporter.js';
import { runHarness, type RunHarness } from './run-harness.js';
import { seedCodeReadyPaper } from './run-fixtures.js';
import { SimulatedCompute, type SimulatedComputeOptions } from './simulated-compute.js';
import type { FakeMessage, SlackFake } from './slack-fake/index.js';
import { VirtualClock } from './virtual-clock.js';

const ID = 'i-0123456789abcdef0';
const MINUTE = 60_000;

export interface SlackRunHarness extends RunHarness {
  clock: VirtualClock;
  chat: Chat;
  /** Seed a paper with a thread, approve its code; the run is queued and its progress message posted. */
  approveInThread(): Promise<{ paperId: string; runId: string; threadTs: string }>;
  receive(): Promise<ReceivedMessage<RunJob>>;
  /** The run's messages of one kind in the thread, found by their metadata as Slack holds them. */
  runMessages(threadTs: string, kind: 'progress' | 'result'): FakeMessage[];
}

/**
 * The run pipeline on the embedded adapters and a simulated running instance, reporting through the real Slack
 * reporter to the protocol-level Slack fake: for tests of what the thread shows, failures injected by the fake.
 */
export function slackRunHarness(
  slack: SlackFake,
  options: {
    coordination?: (store: CoordinationStore) => CoordinationStore;
    compute?: Partial<SimulatedComputeOptions>;
  } = {},
): SlackRunHarness {
  const clock = new VirtualClock('2026-11-23T09:00:00.000Z');
  const harness = runHarness({
    env: { SLACK_CHANNEL: slack.identity.defaultChannel },
    clock,
    // The virtual clock jumps to the next timer whenever every flow waits, a real HTTP call to the Slack fake
    // included: with no heartbeat timer pending, a slow answer cannot carry the run past its time limits.
    timings: { heartbeatMs: 24 * 3_600_000 },
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
        ...options.compute,
      }),
  });
  const chat = new SlackChat({
    token: slack.identity.botToken,
    apiUrl: slack.apiUrl,
    logger: createLogger({ level: 'silent' }),
    retryConfig: { retries: 0 },
  });
  const { deps } = harness;
  Object.assign(deps, {
    reporter: new SlackRunReporter({
      chat,
      channel: slack.identity.defaultChannel,
      logger: createLogger({ level: 'silent' }),
    }),
    ...(options.coordination ? { coordination: options.coordination(deps.coordination) } : {}),
  });
  return {
    ...harness,
    clock,
    chat,
    async approveInThread() {
      const channel = slack.identity.defaultChannel;
      const root = await chat.post({ channel, text: 'A paper thread' });
      const paper = await seedCodeReadyPaper(deps, 0, { thread: { channel, ts: root.ts as string } });
      const queued = await requestRun(deps, {
        kind: 'approve',
        paperId: paper.id,
        codeHash: paper.currentCodeHash as string,
        userId: 'U0APPROVER1',
      });
      if (queued.kind !== 'queued') throw new Error(`expected queued, got ${queued.kind}`);
      return { paperId: paper.id, runId: queued.run.runId, threadTs: root.ts as string };
    },
    async receive() {
      const [message] = await deps.runQueue.receive({ max: 1, visibilitySeconds: 300 });
      if (!message) throw new Error('no run message');
      return message;
    },
    runMessages(threadTs, kind) {
      return slack
        .messages({ threadTs })
        .filter(
          (m) => (m.metadata as { event_type?: string } | undefined)?.event_type === RUN_MESSAGE_EVENTS[kind],
        );
    },
  };
}
