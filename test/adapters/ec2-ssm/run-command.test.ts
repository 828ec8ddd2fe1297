import { EC2Client } from '@aws-sdk/client-ec2';
import {
  GetCommandInvocationCommand,
  InvalidInstanceId,
  InvocationDoesNotExist,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2SsmCompute } from '../../../src/adapters/ec2-ssm/index.js';
import { buildRunScript } from '../../../src/adapters/ec2-ssm/run-command.js';
import { createLogger } from '../../../src/logging/logger.js';
import type { RunHandle } from '../../../src/ports/compute.js';
import { MemoryBlobStore } from '../../support/memory-blob-store.js';
import { VirtualClock } from '../../support/virtual-clock.js';

const ID = 'i-0123456789abcdef0';
const RUNNER_DIR = fileURLToPath(new URL('../../fixtures/ec2-ssm/runner/', import.meta.url));
const ssmMock = mockClient(SSMClient);

let blobs: MemoryBlobStore;
let compute: Ec2SsmCompute;
let clock: VirtualClock;

beforeEach(() => {
  ssmMock.reset();
  blobs = new MemoryBlobStore('s3://sherpa-test/');
  clock = new VirtualClock();
  compute = new Ec2SsmCompute({
    clients: { ec2: new EC2Client({ region: 'us-east-1' }), ssm: new SSMClient({ region: 'us-east-1' }) },
    instanceIds: [ID],
    hourlyPriceUsd: 1.34375,
    blobs,
    clock,
    sleep: clock.sleep,
    logger: createLogger({ level: 'silent' }),
    runnerDir: RUNNER_DIR,
  });
});

/** The dispatch fields of a RunCommand: the key the command carries, and a send deadline far away. */
const send = (runId: string) => ({ dispatchKey: `${runId}.d1`, sendBy: new Date('2100-01-01T00:00:00Z') });

const handle: RunHandle = { instanceId: ID, commandId: 'c0ffee00-0000-4000-8000-000000000001', runId: 'r_1' };

describe('startRun', () => {
  it('sends AWS-RunShellScript with both timeouts, the bootstrap and only this run’s URIs', async () => {
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: handle.commandId } });

    const started = await compute.startRun(ID, {
      runId: 'r_1',
      jobKey: 'runs/r_1/job.json',
      timeoutSeconds: 1800,
      ...send('r_1'),
    });

    expect(started).toEqual(handle);
    const input = ssmMock.commandCalls(SendCommandCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      InstanceIds: [ID],
      DocumentName: 'AWS-RunShellScript',
      TimeoutSeconds: 600,
      Comment: 'sherpa dispatch r_1.d1',
      Parameters: { executionTimeout: ['2700'] },
    });
    const script = input?.Parameters?.commands?.[0] ?? '';
    expect(script).toContain(readFileSync(join(RUNNER_DIR, 'bootstrap.sh'), 'utf8').trim());
    expect(script).toContain("SHERPA_JOB_URI='s3://sherpa-test/runs/r_1/job.json'");
    expect(script).toMatch(/SHERPA_RUNNER_URI='s3:\/\/sherpa-test\/runner\/sherpa-runner-[0-9a-f]{16}\.zip'/);
    // No credential of any kind travels with the command.
    expect(JSON.stringify(input)).not.toMatch(/xox[abp]-|xapp-|AKIA|ASIA|SECRET|TOKEN/i);
  });

  it('uploads the runner bundle once, keyed by its content hash', async () => {
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: handle.commandId } });
    await compute.startRun(ID, {
      runId: 'r_1',
      jobKey: 'runs/r_1/job.json',
      timeoutSeconds: 60,
      ...send('r_1'),
    });
    await compute.startRun(ID, {
      runId: 'r_2',
      jobKey: 'runs/r_2/job.json',
      timeoutSeconds: 60,
      ...send('r_2'),
    });
    const bundles = blobs.writes.filter((key) => key.startsWith('runner/'));
    expect(bundles).toHaveLength(1);

    // The bundle is a zip Python can import the package from.
    const dir = mkdtempSync(join(tmpdir(), 'sherpa-bundle-'));
    const zipPath = join(dir, 'runner.zip');
    writeFileSync(zipPath, (await blobs.get(bundles[0] as string)) as Uint8Array);
    const output = execFileSync('python3', ['-m', 'sherpa_runner', '--job', 'x'], {
      env: { PATH: process.env.PATH ?? '', PYTHONPATH: zipPath },
      encoding: 'utf8',
    });
    expect(output).toContain("stand-in runner ['--job', 'x']");
  });

  it('retries InvalidInstanceId while the agent registration settles', async () => {
    ssmMock
      .on(SendCommandCommand)
      .rejectsOnce(new InvalidInstanceId({ message: 'Instances not in a valid state', $metadata: {} }))
      .resolves({ Command: { CommandId: handle.commandId } });
    await expect(
      compute.startRun(ID, { runId: 'r_1', jobKey: 'runs/r_1/job.json', timeoutSeconds: 60, ...send('r_1') }),
    ).resolves.toEqual(handle);
    expect(ssmMock).toHaveReceivedCommandTimes(SendCommandCommand, 2);
  });
});

describe('pollRun', () => {
  it('treats InvocationDoesNotExist as pending, then follows the invocation to success', async () => {
    ssmMock
      .on(GetCommandInvocationCommand)
      .rejectsOnce(new InvocationDoesNotExist({ message: '', $metadata: {} }))
      .resolvesOnce({ Status: 'Pending', ResponseCode: -1 })
      .resolvesOnce({ Status: 'InProgress', ResponseCode: -1 })
      .resolves({
        Status: 'Success',
        StatusDetails: 'Success',
        ResponseCode: 0,
        StandardOutputContent: 'RESULT_JSON=s3://sherpa-test/runs/r_1/result/result.json\n',
      });
    expect(await compute.pollRun(handle)).toEqual({ state: 'pending' });
    expect(await compute.pollRun(handle)).toEqual({ state: 'pending' });
    expect(await compute.pollRun(handle)).toEqual({ state: 'running' });
    expect(await compute.pollRun(handle)).toEqual({
      state: 'finished',
      outcome: 'success',
      exitCode: 0,
      detail: 'Success',
      stdout: 'RESULT_JSON=s3://sherpa-test/runs/r_1/result/result.json\n',
      stderr: '',
    });
    expect(ssmMock).toHaveReceivedCommandWith(GetCommandInvocationCommand, {
      CommandId: handle.commandId,
      InstanceId: ID,
    });
  });

  it('reports a command the agent killed at executionTimeout as timed out', async () => {
    ssmMock.on(GetCommandInvocationCommand).resolves({
      Status: 'TimedOut',
      StatusDetails: 'Execution Timed Out',
      ResponseCode: -1,
      StandardErrorContent: 'failed to run commands: exit status 143',
    });
    expect(await compute.pollRun(handle)).toMatchObject({
      state: 'finished',
      outcome: 'timed_out',
      exitCode: null,
      stderr: 'failed to run commands: exit status 143',
    });
  });

  it('reports a command that never reached the agent as undeliverable', async () => {
    ssmMock
      .on(GetCommandInvocationCommand)
      .resolves({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out', ResponseCode: -1 });
    expect(await compute.pollRun(handle)).toMatchObject({ state: 'finished', outcome: 'undeliverable' });
  });

  it('reports a script that exited non-zero as failed with its exit code', async () => {
    ssmMock
      .on(GetCommandInvocationCommand)
      .resolves({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 3 });
    expect(await compute.pollRun(handle)).toMatchObject({
      state: 'finished',
      outcome: 'failed',
      exitCode: 3,
    });
  });

  it('rejects an answer outside the documented statuses', async () => {
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Exploded' as never });
    await expect(compute.pollRun(handle)).rejects.toThrow(/GetCommandInvocation did not match/);
  });
});

describe('storageScope', () => {
  it('is the aws:userid of the instance role session, which the runner policy scopes S3 to', () => {
    const scoped = new Ec2SsmCompute({
      clients: { ec2: new EC2Client({ region: 'us-east-1' }), ssm: new SSMClient({ region: 'us-east-1' }) },
      instanceIds: [ID],
      hourlyPriceUsd: 1,
      runnerRoleId: 'AROAEXAMPLE1234567890',
      blobs,
      clock,
      sleep: clock.sleep,
      logger: createLogger({ level: 'silent' }),
    });
    expect(scoped.storageScope(ID)).toBe(`AROAEXAMPLE1234567890:${ID}`);
    expect(compute.storageScope(ID)).toBe(ID);
  });
});

describe('buildRunScript', () => {
  it('is a script sh can run that hands the URIs to the bootstrap under bash', () => {
    const script = buildRunScript({
      bootstrap:
        '#!/bin/bash\nset -euo pipefail\necho "$SHERPA_RUNNER_URI|$SHERPA_JOB_URI|${BASH_VERSION:+bash}"\nexit 7\n',
      runnerUri: "file:///tmp/it's/runner.zip",
      jobUri: 'file:///tmp/job.json',
    });
    let output = '';
    let status = 0;
    try {
      execFileSync('sh', ['-c', script], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    } catch (error) {
      const failed = error as { status: number; stdout: string };
      status = failed.status;
      output = failed.stdout;
    }
    expect(status).toBe(7);
    expect(output.trim()).toBe("file:///tmp/it's/runner.zip|file:///tmp/job.json|bash");
  });
});
