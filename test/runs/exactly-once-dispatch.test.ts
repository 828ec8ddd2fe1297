import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunJob } from '../../src/domain/jobs.js';
import { TransientError } from '../../src/errors.js';
import type { ReceivedMessage } from '../../src/ports/work-queue.js';
import { executeRun } from '../../src/runs/execute-run.js';
import { requestRun } from '../../src/runs/request-run.js';
import { findRun } from '../../src/runs/run-records.js';
import { openTempDir } from '../runner/runner-cli.js';
import { botProcess, faultAtRunWrite, startInstanceFake, type BotProcess } from '../support/dispatch-rig.js';
import type { FakeEc2Ssm } from '../support/fake-ec2-ssm.js';
import { NEURON_STANDIN_TRAINING } from '../support/fake-neuron-tools.js';
import { seedCodeReadyPaper } from '../support/run-fixtures.js';
import { VirtualClock } from '../support/virtual-clock.js';

/**
 * Issue 10, found item 6: a run is sent to its instance once, whatever happens between the send and its
 * record. Each case drives the real run worker against the loopback EC2/SSM fake (whose "agent" runs the real
 * runner) and the embedded queue and store, and counts SendCommand calls and executions on the instance.
 */
const MINUTE = 60_000;

let dir: string;
let fake: FakeEc2Ssm;
let restore: () => Promise<void>;
let clock: VirtualClock;
const processes: BotProcess[] = [];
let runId: string | undefined;

beforeEach(async () => {
  dir = await openTempDir();
  ({ fake, restore } = await startInstanceFake(dir));
  // Near real time, so SSM's RequestedDateTime and the bot's dispatch marker agree as they would in production.
  clock = new VirtualClock(new Date());
  runId = undefined;
});

afterEach(async () => {
  await restore();
  for (const process of processes.splice(0)) process.harness.close();
  await rm(dir, { recursive: true, force: true });
});

function start(
  options: Parameters<typeof botProcess>[0]['papers'] extends infer P ? { papers?: P } : never = {},
) {
  const process = botProcess({ dir, clock, ...options });
  processes.push(process);
  return process;
}

async function approve(process: BotProcess, code = NEURON_STANDIN_TRAINING) {
  const { deps } = process.harness;
  const paper = await seedCodeReadyPaper(deps, 0, { code });
  const queued = await requestRun(deps, {
    kind: 'approve',
    paperId: paper.id,
    codeHash: paper.currentCodeHash as string,
    userId: 'U0APPROVER1',
  });
  if (queued.kind !== 'queued') throw new Error(`expected queued, got ${queued.kind}`);
  runId = queued.run.runId;
  return queued;
}

async function receive(process: BotProcess): Promise<ReceivedMessage<RunJob>> {
  const [message] = await process.harness.deps.runQueue.receive({ max: 1, visibilitySeconds: 300 });
  if (!message) throw new Error('no run message');
  return message;
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error('condition not reached');
}

async function expectOneRunSucceeded(process: BotProcess, paperId: string, lookedUp = true) {
  const paper = await process.harness.deps.papers.get(paperId);
  expect(paper?.state).toBe('succeeded');
  const run = paper && findRun(paper, runId as string);
  expect(run?.dispatch?.key).toBe(`${runId}.d1`);
  expect(fake.sent).toHaveLength(1);
  expect(fake.executions).toBe(1);
  expect(fake.sent[0]?.comment).toBe(`sherpa dispatch ${runId}.d1`);
  // Adopting a command never recorded means finding it on the instance by its key.
  if (lookedUp) expect(fake.actions).toContain('ListCommands');
  return run;
}

describe('exactly-once dispatch', () => {
  it('adopts the command when the store fails transiently right after SendCommand', async () => {
    const worker = start({
      papers: (papers) =>
        faultAtRunWrite(
          papers,
          () => runId,
          (run) => Boolean(run.commandId),
          {
            before: async () => {
              throw new TransientError('injected: the store is briefly unavailable');
            },
          },
        ),
    });
    const queued = await approve(worker);

    const first = await receive(worker);
    await executeRun(worker.harness.deps, first);
    // The command was sent and the record failed: the message went back to the queue, nothing was reported.
    expect(fake.sent).toHaveLength(1);
    expect(worker.harness.reporter.results).toHaveLength(0);

    clock.advance(MINUTE);
    const second = await receive(worker);
    expect(second.attempt).toBe(2);
    await executeRun(worker.harness.deps, second);

    await expectOneRunSucceeded(worker, queued.paper.id);
    expect(worker.harness.reporter.results.map((r) => r.view.status)).toEqual(['succeeded']);
  });

  it('adopts the command after a crash between the send and its record, in a fresh process', async () => {
    const doomed = start({
      papers: (papers, control) =>
        faultAtRunWrite(
          papers,
          () => runId,
          (run) => Boolean(run.commandId),
          {
            // The process dies as it is about to record the command: the write never happens.
            before: () => {
              control.crash();
              return new Promise(() => undefined);
            },
          },
        ),
    });
    const queued = await approve(doomed);
    void executeRun(doomed.harness.deps, await receive(doomed));
    await waitUntil(() => !doomed.control.isUp);
    expect(fake.sent).toHaveLength(1);

    // Its lease and the message's visibility lapse; a restarted bot gets the message again.
    clock.advance(6 * MINUTE);
    const restarted = start();
    const redelivered = await receive(restarted);
    expect(redelivered.attempt).toBe(2);
    await executeRun(restarted.harness.deps, redelivered);

    await expectOneRunSucceeded(restarted, queued.paper.id);
    expect(restarted.harness.reporter.results.map((r) => r.view.status)).toEqual(['succeeded']);
  });

  it('sends once when a worker stalls past its lease after marking the dispatch and a second worker takes over', async () => {
    const stalled = start({
      papers: (papers, control) =>
        faultAtRunWrite(
          papers,
          () => runId,
          (run) => Boolean(run.dispatch) && !run.commandId,
          {
            // Marker written, command not yet sent: the process freezes (its lease and message lapse meanwhile).
            after: () => control.pause(),
          },
        ),
    });
    const queued = await approve(stalled);
    const stalledRun = executeRun(stalled.harness.deps, await receive(stalled));
    await waitUntil(() => !stalled.control.isUp);
    expect(fake.sent).toHaveLength(0);

    clock.advance(6 * MINUTE);
    const second = start();
    const redelivered = await receive(second);
    expect(redelivered.attempt).toBe(2);
    await executeRun(second.harness.deps, redelivered);
    expect(fake.sent).toHaveLength(1);

    // The stalled worker wakes up, finds the run taken over, and sends nothing.
    stalled.control.resume();
    await stalledRun;
    await expectOneRunSucceeded(second, queued.paper.id);
    expect(stalled.harness.reporter.results).toHaveLength(0);
    expect(second.harness.reporter.results.map((r) => r.view.status)).toEqual(['succeeded']);
  });

  it('follows and reports once when a worker stalls past its lease after recording the command', async () => {
    const stalled = start({
      papers: (papers, control) =>
        faultAtRunWrite(
          papers,
          () => runId,
          (run) => Boolean(run.commandId),
          {
            // Sent and recorded, then the process freezes while the run goes on.
            after: () => control.pause(),
          },
        ),
    });
    const queued = await approve(stalled);
    const stalledRun = executeRun(stalled.harness.deps, await receive(stalled));
    await waitUntil(() => !stalled.control.isUp);
    expect(fake.sent).toHaveLength(1);

    clock.advance(6 * MINUTE);
    const second = start();
    await executeRun(second.harness.deps, await receive(second));

    // The stalled worker wakes, follows the same command to its end, and finds the result already posted.
    stalled.control.resume();
    await stalledRun;
    await expectOneRunSucceeded(second, queued.paper.id, false);
    const posted = [...stalled.harness.reporter.results, ...second.harness.reporter.results];
    expect(posted.map((r) => r.view.status)).toEqual(['succeeded']);
  });

  it('follows the first start to its result when the command it watches is the runner refusing a second start', async () => {
    const worker = start();
    // The agent delivers the command twice: a first copy starts in the background (its invocation unknown to
    // the bot), and the copy the bot follows runs once the first has claimed the run's start marker, so the real
    // runner refuses it (exit 4, SHERPA_ALREADY_STARTED) while the first goes on to write result.json.
    const started = join(dir, 'work', 'started');
    fake.agentScript = (script) =>
      [
        `( ${script}\n) >/dev/null 2>&1 &`,
        'i=0',
        `while [ -z "$(ls -A '${started}' 2>/dev/null)" ] && [ $i -lt 1000 ]; do sleep 0.02; i=$((i+1)); done`,
        script,
      ].join('\n');
    // The training outlasts the refusal, so the result appears after the followed command has ended.
    const queued = await approve(worker, `${NEURON_STANDIN_TRAINING}import time\ntime.sleep(2)\n`);
    await executeRun(worker.harness.deps, await receive(worker));

    const paper = await worker.harness.deps.papers.get(queued.paper.id);
    expect(paper?.state).toBe('succeeded');
    expect(fake.sent).toHaveLength(1);
    const followed = fake.invocationOutput(fake.sent.length - 1);
    expect(followed).toMatchObject({ responseCode: 4 });
    expect(followed?.stdout).toContain(`SHERPA_ALREADY_STARTED runId=${runId}`);
    expect(worker.harness.reporter.results.map((r) => r.view.status)).toEqual(['succeeded']);
    expect(worker.harness.reporter.results[0]?.view.failure).toBeUndefined();
  });
});
