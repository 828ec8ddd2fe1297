import {
  DescribeInstancesCommand,
  EC2Client,
  EC2ServiceException,
  StartInstancesCommand,
  type DescribeInstancesCommandOutput,
} from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2SsmCompute } from '../../../src/adapters/ec2-ssm/index.js';
import { PermanentError } from '../../../src/errors.js';
import { createLogger } from '../../../src/logging/logger.js';
import type { InstanceState, ReadyStep } from '../../../src/ports/compute.js';
import { MemoryBlobStore } from '../../support/memory-blob-store.js';
import { VirtualClock } from '../../support/virtual-clock.js';

const ID = 'i-0123456789abcdef0';
const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);

function described(state: InstanceState, reason?: string): DescribeInstancesCommandOutput {
  return {
    $metadata: {},
    Reservations: [
      {
        Instances: [
          {
            InstanceId: ID,
            InstanceType: 'trn1.2xlarge',
            State: { Name: state },
            LaunchTime: new Date('2026-11-23T08:00:00Z'),
            ...(reason
              ? { StateReason: { Code: 'Server.InsufficientInstanceCapacity', Message: reason } }
              : {}),
          },
        ],
      },
    ],
  };
}

/** DescribeInstances answers each state in turn, then the last one forever. */
function describeSequence(...states: InstanceState[]): void {
  let call = ec2Mock.on(DescribeInstancesCommand);
  for (const state of states.slice(0, -1)) call = call.resolvesOnce(described(state));
  call.resolves(described(states[states.length - 1] as InstanceState));
}

function capacityError(): EC2ServiceException {
  return new EC2ServiceException({
    name: 'InsufficientInstanceCapacity',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
    message:
      'We currently do not have sufficient trn1.2xlarge capacity in the Availability Zone you requested (us-east-1a).',
  });
}

function online(): void {
  ssmMock
    .on(DescribeInstanceInformationCommand)
    .resolvesOnce({ InstanceInformationList: [] })
    .resolves({ InstanceInformationList: [{ InstanceId: ID, PingStatus: 'Online' }] });
}

let clock: VirtualClock;
let compute: Ec2SsmCompute;
let steps: ReadyStep[];

beforeEach(() => {
  ec2Mock.reset();
  ssmMock.reset();
  clock = new VirtualClock();
  steps = [];
  compute = new Ec2SsmCompute({
    clients: { ec2: new EC2Client({ region: 'us-east-1' }), ssm: new SSMClient({ region: 'us-east-1' }) },
    instanceIds: [ID],
    hourlyPriceUsd: 1.34375,
    blobs: new MemoryBlobStore(),
    clock,
    sleep: clock.sleep,
    logger: createLogger({ level: 'silent' }),
    random: () => 0.5,
  });
});

const record = (step: ReadyStep) => {
  steps.push(step);
};

describe('Ec2SsmCompute.ensureReady', () => {
  it('starts a stopped instance, waits for running, then for the SSM agent', async () => {
    describeSequence('stopped', 'pending', 'pending', 'running');
    ec2Mock.on(StartInstancesCommand).resolves({});
    online();

    await expect(compute.ensureReady(ID, record)).resolves.toEqual({ startedByUs: true });

    expect(steps.map((s) => s.step)).toEqual([
      'starting',
      'waiting_for_running',
      'waiting_for_running',
      'waiting_for_agent',
      'ready',
    ]);
    expect(ec2Mock).toHaveReceivedCommandTimes(StartInstancesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(StartInstancesCommand, { InstanceIds: [ID] });
    expect(ssmMock).toHaveReceivedCommandWith(DescribeInstanceInformationCommand, {
      Filters: [{ Key: 'InstanceIds', Values: [ID] }],
    });
  });

  it('does not start an instance that is already running', async () => {
    describeSequence('running');
    online();
    await expect(compute.ensureReady(ID, record)).resolves.toEqual({ startedByUs: false });
    expect(ec2Mock).not.toHaveReceivedCommand(StartInstancesCommand);
  });

  it('waits for a stopping instance to reach stopped before starting it', async () => {
    describeSequence('stopping', 'stopping', 'stopping', 'stopped', 'pending', 'running');
    const startedAtDescribeCall: number[] = [];
    ec2Mock.on(StartInstancesCommand).callsFake(() => {
      startedAtDescribeCall.push(ec2Mock.commandCalls(DescribeInstancesCommand).length);
      return {};
    });
    online();

    await compute.ensureReady(ID, record);

    expect(steps[0]).toEqual({ step: 'waiting_for_stop', instanceId: ID });
    // Describe #1 saw stopping, #2–#4 were the wait (the 4th said stopped); only then the start.
    expect(startedAtDescribeCall).toEqual([4]);
    expect(clock.now().toISOString() > '2026-11-23T09:00:10.000Z').toBe(true);
  });

  it('retries InsufficientInstanceCapacity with growing backoff and says so at each step', async () => {
    describeSequence('stopped', 'running');
    ec2Mock
      .on(StartInstancesCommand)
      .rejectsOnce(capacityError())
      .rejectsOnce(capacityError())
      .rejectsOnce(capacityError())
      .resolves({});
    online();
    const before = clock.now().getTime();

    await compute.ensureReady(ID, record);

    const retries = steps.filter((s) => s.step === 'capacity_retry');
    expect(retries.map((s) => (s.step === 'capacity_retry' ? [s.attempt, s.retryInSeconds] : []))).toEqual([
      [1, 30],
      [2, 60],
      [3, 120],
    ]);
    expect(retries[0]).toMatchObject({ message: expect.stringContaining('trn1.2xlarge capacity') });
    expect(ec2Mock).toHaveReceivedCommandTimes(StartInstancesCommand, 4);
    expect((clock.now().getTime() - before) / 1000).toBeGreaterThanOrEqual(210);
  });

  it('gives up on capacity after the budget with an actionable message', async () => {
    describeSequence('stopped');
    ec2Mock.on(StartInstancesCommand).rejects(capacityError());
    const failure = compute.ensureReady(ID, record);
    await expect(failure).rejects.toBeInstanceOf(PermanentError);
    await expect(failure).rejects.toThrow(/no capacity .* for 30 min/);
    const retries = steps.filter((s) => s.step === 'capacity_retry').length;
    // 30 + 60 + 120 + 240 + 300 + 300 + 300 + 300 + 150 (the remainder) = 1800 s.
    expect(retries).toBe(9);
  });

  it('starts again when EC2 accepts a start but falls back to stopped for capacity', async () => {
    let call = 0;
    ec2Mock.on(DescribeInstancesCommand).callsFake(() => {
      call += 1;
      if (call === 1) return described('stopped');
      if (call === 2) return described('pending');
      if (call === 3)
        return described('stopped', 'Server.InsufficientInstanceCapacity: Insufficient capacity.');
      if (call === 4) return described('pending');
      return described('running');
    });
    ec2Mock.on(StartInstancesCommand).resolves({});
    online();
    await compute.ensureReady(ID, record);
    expect(ec2Mock).toHaveReceivedCommandTimes(StartInstancesCommand, 2);
  });

  it('waits out a start that raced with a stop (IncorrectInstanceState)', async () => {
    describeSequence('stopped', 'stopping', 'stopped', 'running');
    ec2Mock
      .on(StartInstancesCommand)
      .rejectsOnce(
        new EC2ServiceException({
          name: 'IncorrectInstanceState',
          $fault: 'client',
          $metadata: {},
          message: 'The instance is not in a state from which it can be started.',
        }),
      )
      .resolves({});
    online();
    await compute.ensureReady(ID, record);
    expect(steps.map((s) => s.step)).toContain('waiting_for_stop');
    expect(ec2Mock).toHaveReceivedCommandTimes(StartInstancesCommand, 2);
  });

  it('fails after five minutes stuck in pending', async () => {
    describeSequence('stopped', 'pending');
    ec2Mock.on(StartInstancesCommand).resolves({});
    await expect(compute.ensureReady(ID, record)).rejects.toThrow(/stayed pending for 5 min/);
  });

  it('fails after ten minutes without the SSM agent, naming the likely cause', async () => {
    describeSequence('running');
    ssmMock
      .on(DescribeInstanceInformationCommand)
      .resolves({ InstanceInformationList: [{ InstanceId: ID, PingStatus: 'ConnectionLost' }] });
    const failure = compute.ensureReady(ID, record);
    await expect(failure).rejects.toThrow(
      /did not come online within 10 min \(last status: ConnectionLost\)/,
    );
    await expect(failure).rejects.toMatchObject({
      hint: expect.stringContaining('AmazonSSMManagedInstanceCore'),
    });
  });

  it('refuses a terminated instance', async () => {
    describeSequence('terminated');
    await expect(compute.ensureReady(ID, record)).rejects.toThrow(/is terminated/);
  });
});

describe('Ec2SsmCompute.describe and stop', () => {
  it('maps EC2 instances to states with their launch time', async () => {
    describeSequence('running');
    await expect(compute.describe()).resolves.toEqual([
      {
        instanceId: ID,
        state: 'running',
        launchedAt: '2026-11-23T08:00:00.000Z',
        instanceType: 'trn1.2xlarge',
        // No InstanceLifecycle in EC2's answer: an on-demand instance.
        lifecycle: 'on-demand',
      },
    ]);
  });
});
