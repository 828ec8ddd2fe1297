import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../../src/adapters/embedded/index.js';
import { createEc2SsmClients, Ec2SsmCompute } from '../../src/adapters/ec2-ssm/index.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { codeStepMessage } from '../../src/messages/code-step.js';
import { realSleep } from '../../src/ports/sleep.js';
import { runnerCommandEnv } from '../support/dispatch-rig.js';
import { FakeEc2Ssm } from '../support/fake-ec2-ssm.js';
import { seedCodeReadyPaper } from '../support/run-fixtures.js';
import { openTempDir, RUNNER_DIR } from '../runner/runner-cli.js';
import type { FakeMessage } from '../support/slack-fake/index.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';

/**
 * Issue 12, "Done when": end to end through the Slack fake and the loopback EC2/SSM fake. A run placed on a
 * `launch` pool with `spot-then-on-demand` is launched as spot from the launch template; mid-run the fake
 * raises a spot interruption notice on the instance's metadata service; the attempt checkpoints and ends
 * `interrupted`; the bot terminates the instance, re-queues the run and launches an on-demand instance, where
 * the code resumes from the checkpoint and finishes. One progress message tells the story; the result shows
 * execution info; nothing is left running.
 *
 * The fake's agent runs the real trainium-runner (contained, as root here) on the bot's command: it watches
 * the instance's metadata service at AWS_EC2_METADATA_SERVICE_ENDPOINT, SIGTERMs the code on the notice, syncs
 * SHERPA_CHECKPOINT_DIR and writes `interrupted`; the next attempt restores `resumeFrom.checkpointUri`.
 */
/**
 * The run's code: standard library only (fast on 2 shared cores), honouring the checkpoint contract like
 * trainium-runner/examples/train_checkpointed.py: saves its step every 2 steps and on SIGTERM (.tmp, renamed),
 * resumes from the saved step + 1. A first attempt waits at HOLD_AT (up to 60 s) for the notice's SIGTERM, so a
 * loaded machine cannot finish the run before the test raises the notice; a resumed attempt never waits.
 */
const CHECKPOINTED_TRAINING = [
  'import json, os, signal, sys, time',
  'STEPS, HOLD_AT = 12, 4',
  'stop = {"requested": False}',
  'signal.signal(signal.SIGTERM, lambda *_: stop.update(requested=True))',
  'path = os.path.join(os.environ["SHERPA_CHECKPOINT_DIR"], "state.json")',
  'first = 1',
  'if os.path.exists(path):',
  '    with open(path) as handle:',
  '        first = json.load(handle)["step"] + 1',
  '    print("RESUMED_FROM %d" % (first - 1), flush=True)',
  'def save(step):',
  '    with open(path + ".tmp", "w") as handle:',
  '        json.dump({"step": step}, handle)',
  '    os.replace(path + ".tmp", path)',
  'for step in range(first, STEPS + 1):',
  '    time.sleep(0.05)',
  '    print("METRICS: " + json.dumps({"step": step, "loss": round(2.3 / (1 + 0.1 * step), 4)}), flush=True)',
  '    if step % 2 == 0:',
  '        save(step)',
  '    if step == HOLD_AT and first == 1:',
  '        deadline = time.time() + 60',
  '        while not stop["requested"] and time.time() < deadline:',
  '            time.sleep(0.05)',
  '    if stop["requested"]:',
  '        save(step)',
  '        print("SAVED_ON_SIGTERM %d" % step, flush=True)',
  '        sys.exit(0)',
  '',
].join('\n');
const TEMPLATE = 'lt-0123456789abcdef0';
const AMI = 'ami-0neuron0pinned0001';
const ENV_KEYS = [
  'AWS_ENDPOINT_URL_EC2',
  'AWS_ENDPOINT_URL_SSM',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
];

let sherpa: SherpaHarness | undefined;
let ec2: FakeEc2Ssm;
let dir: string;
let saved: Record<string, string | undefined>;

beforeEach(async () => {
  // Under /run/sherpa-runner-tests as root: the sandbox user must reach the run folders, never under /tmp.
  dir = await openTempDir();
  saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  const env = await runnerCommandEnv(dir);
  ec2 = new FakeEc2Ssm({
    instances: {},
    launchTemplates: { [TEMPLATE]: { imageId: AMI } },
    launched: { pendingPolls: 0, agentPolls: 0 },
    // The dispatch rig's sandbox environment, with the spot watcher looking every 0.1 s instead of 5 s, and a
    // work root per instance: the runner's started-run marker lives there, and each instance is its own machine.
    commandEnv: (instanceId) => ({
      ...env,
      SHERPA_WORK_ROOT: join(dir, 'work', instanceId),
      SHERPA_SPOT_POLL_SECONDS: '0.1',
    }),
  });
  const url = await ec2.start();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EC2: url,
    AWS_ENDPOINT_URL_SSM: url,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-for-loopback',
  });
});

afterEach(async () => {
  await sherpa?.stop();
  sherpa = undefined;
  await ec2.close();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await rm(dir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every file under a folder (the FileBlobStore's), relative to it. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1));
}

const textOf = (message: FakeMessage) => JSON.stringify(message.blocks ?? []) + (message.text ?? '');

describe('a spot run interrupted mid-run resumes on another instance (issue 12)', () => {
  it('tells the story in one progress message, reports execution info and leaves nothing running', async () => {
    const config = join(dir, 'sherpa.yaml');
    await writeFile(
      config,
      [
        'compute:',
        '  pools:',
        '    - name: trn1-spot',
        '      instanceType: trn1.2xlarge',
        '      backend: neuron',
        '      mode: launch',
        `      launchTemplate: { id: ${TEMPLATE} }`,
        '      max: 2',
        '      idleMinutes: 30',
        '      market: spot-then-on-demand',
      ].join('\n'),
    );
    const blobRoot = join(dir, 'blobs');
    sherpa = await startSherpa({
      env: {
        SHERPA_CONFIG: config,
        TRAINIUM_RUNNER_ROLE_ID: 'AROAEXAMPLE1234567890',
        S3_BUCKET: 'unused-the-test-swaps-in-a-file-store',
        AWS_REGION: 'us-east-1',
        RUN_TIMEOUT_MINUTES: '5',
      },
      // The runner reads and writes file:// URIs: the blob store is a folder, and compute drives the fake.
      decorateDeps: (deps) => {
        const blobs = new FileBlobStore(blobRoot);
        const compute = new Ec2SsmCompute({
          clients: createEc2SsmClients('us-east-1'),
          instanceIds: [],
          hourlyPriceUsd: deps.config.compute.hourlyPriceUsd,
          // No role id: the storage scope is the instance id alone (a file store takes no `:` in a key).
          blobs,
          clock: deps.clock,
          sleep: realSleep,
          logger: deps.logger,
          runnerDir: RUNNER_DIR,
          budgets: { statePollSeconds: 0.05, agentPollSeconds: 0.05 },
        });
        return { ...deps, blobs, compute };
      },
    });
    const { fake, deps } = sherpa;
    const root = await deps.chat.post({ channel: sherpa.config.slack.channel, text: 'A paper' });
    const paper = await seedCodeReadyPaper(deps, 0, {
      code: CHECKPOINTED_TRAINING,
      thread: { channel: sherpa.config.slack.channel, ts: root.ts as string },
    });
    const threadTs = root.ts as string;
    const version = paper.codeVersions[0];
    if (!version) throw new Error('no code version');
    const posted = await deps.chat.post({
      channel: sherpa.config.slack.channel,
      thread_ts: threadTs,
      ...codeStepMessage({
        paperId: paper.id,
        paperTitle: paper.title,
        version,
        code: 'print(1)',
        requestedBy: TEST_APPROVER,
        modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        runBudgetMinutes: 10,
        runTarget: { kind: 'ec2' },
      }),
    });
    const codeStep = fake.messages({ threadTs }).find((message) => message.ts === posted.ts) as FakeMessage;
    await fake.clickButton({
      actionId: ACTION_IDS.runCode,
      value: `${paper.id}:${paper.currentCodeHash}`,
      user: TEST_APPROVER,
      message: codeStep,
    });

    // Attempt 1 is launched as spot from the template and its code reaches step 4; then EC2 gives notice.
    const first = await until('a spot launch', () => ec2.launches[0]);
    expect(first).toMatchObject({
      spot: true,
      launchTemplate: TEMPLATE,
      tags: { 'sherpa:pool': 'trn1-spot' },
    });
    await until('the code at step 4', async () => {
      const progress = (await filesUnder(blobRoot)).find(
        (file) => file.includes(first.instanceId) && file.endsWith('progress.json'),
      );
      if (!progress) return false;
      // The METRICS line as progress.json's lastLogLine quotes it (read raw: a write may be under way).
      const text = await readFile(join(blobRoot, progress), 'utf8').catch(() => '');
      return text.includes('\\"step\\": 4,');
    });
    ec2.interrupt(first.instanceId);

    const final = await until('the result message', () =>
      fake.messages({ threadTs }).find((message) => textOf(message).includes('Run succeeded')),
    );
    const second = ec2.launches[1];
    expect(second).toMatchObject({ spot: false, launchTemplate: TEMPLATE });
    expect(ec2.launches).toHaveLength(2);

    // One progress message, edited in place, tells the interruption and the resume.
    const progress = fake
      .messages({ threadTs })
      .filter(
        (message) => textOf(message).includes('Trainium run') && !textOf(message).includes('Run succeeded'),
      );
    expect(progress).toHaveLength(1);
    const story = textOf(progress[0] as FakeMessage);
    expect(story).toMatch(
      new RegExp(
        `Attempt 1 on \`${first.instanceId}\` \\(pool \`trn1-spot\`, spot\\) was interrupted by a spot notice`,
      ),
    );
    expect(story).toContain('resuming from its last synced checkpoint on another instance, on-demand');
    expect(story).toMatch(new RegExp(`Attempt 2 resumed from the checkpoint on \`${second?.instanceId}\``));
    expect(story).toContain('✅ done');

    // The result carries execution info: the on-demand instance it finished on, one interruption, one resume.
    const text = textOf(final);
    expect(text).toContain(`*Ran on:* trn1.2xlarge (on-demand) · ${second?.instanceId}`);
    expect(text).toContain('1 interruption, 1 resume');
    expect(text).toContain(`AMI ${AMI}`);

    // The resumed attempt started from the checkpointed step: its series begins after it, with no step repeated.
    const stored = await deps.papers.get(paper.id);
    const run = stored?.runs[0];
    expect(run).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      interruptions: 1,
      resumes: 1,
      market: 'on-demand',
    });
    const result = JSON.parse((await deps.blobs.getText(run?.resultKey as string)) ?? '{}') as {
      metrics: { series: { loss: { step: number }[] } };
      checkpoint: { restoredFrom?: { uri: string } };
    };
    const steps = result.metrics.series.loss.map((point) => point.step);
    expect(steps[0]).toBe(5);
    expect(steps.at(-1)).toBe(12);
    expect(result.checkpoint.restoredFrom?.uri).toContain(`/${second?.instanceId}/`);

    // The ledger keeps each attempt's execution info beside its cost (issue 12, item 6), in SQLite here.
    const billed = (await deps.ledger.entries({ paperId: paper.id })).filter(
      (entry) => entry.kind === 'instance' && entry.purpose === 'run',
    );
    const firstBill = billed.find((entry) => entry.resource === first.instanceId);
    const secondBill = billed.find((entry) => entry.resource === second?.instanceId);
    expect(firstBill?.execution).toMatchObject({
      instanceType: 'trn1.2xlarge',
      market: 'spot',
      throughput: { unit: 'steps/s' },
    });
    expect(secondBill?.execution).toMatchObject({ instanceType: 'trn1.2xlarge', market: 'on-demand' });
    expect(secondBill?.execution?.wallSeconds).toBeGreaterThan(0);
    expect(secondBill?.execution?.throughput?.value).toBeGreaterThan(0);

    // The interrupted instance was terminated; the finished one is idle, not left running once idle stop ran.
    expect(ec2.stateOf(first.instanceId)).toBe('terminated');
    const { stopIdleInstances } = await import('../../jobs/idle-stop.js');
    const { InstancePool } = await import('../../src/runs/instance-pool.js');
    const pool = new InstancePool({
      compute: deps.compute as Ec2SsmCompute,
      coordination: deps.coordination,
      logger: deps.logger,
      pools: deps.config.compute.pools.map((p) => ({ ...p, idleMinutes: 1 })),
      clock: { now: () => new Date(Date.now() + 5 * 60_000) },
    });
    await stopIdleInstances({
      compute: deps.compute as Ec2SsmCompute,
      pool,
      coordination: deps.coordination,
      ledger: deps.ledger,
      clock: { now: () => new Date(Date.now() + 5 * 60_000) },
      logger: deps.logger,
      idleStopMinutes: 1,
      notify: async () => undefined,
    });
    expect(ec2.terminations).toEqual([first.instanceId, second?.instanceId]);
    expect(ec2.liveInstances()).toEqual([]);
    expect(fake.unexpectedCalls()).toEqual([]);
  }, 180_000);
});
