import {
  DescribeInstancesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import {
  CAPACITY_ERROR_CODES,
  LaunchCapacityError,
  type InstanceStatus,
  type LaunchRequest,
} from '../../ports/compute.js';
import { DescribeInstancesSchema, parseAws, RunInstancesSchema, type Ec2Instance } from './schema.js';

/** The tags every instance Sherpa launches carries; the IAM policy lets Sherpa terminate only these (infra/). */
export const SHERPA_TAG = 'sherpa:managed';
export const POOL_TAG = 'sherpa:pool';
export const SLOT_TAG = 'sherpa:slot';

export function statusOf(instance: Ec2Instance): InstanceStatus {
  return {
    instanceId: instance.InstanceId,
    state: instance.State.Name,
    ...(instance.LaunchTime ? { launchedAt: instance.LaunchTime.toISOString() } : {}),
    ...(instance.InstanceType ? { instanceType: instance.InstanceType } : {}),
    lifecycle: instance.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
  };
}

function capacityCode(error: unknown): string | undefined {
  const name = (error as { name?: string } | undefined)?.name;
  return CAPACITY_ERROR_CODES.find((code) => code === name);
}

/**
 * RunInstances from the pool's launch template with Sherpa's tags (issue 12, item 2; pool-and-evolve.md):
 * spot as a one-time request that terminates on interruption, the client token for idempotency.
 */
export async function launchInstance(ec2: EC2Client, request: LaunchRequest): Promise<InstanceStatus> {
  const template = request.launchTemplate.id
    ? { LaunchTemplateId: request.launchTemplate.id, Version: request.launchTemplate.version }
    : { LaunchTemplateName: request.launchTemplate.name, Version: request.launchTemplate.version };
  const tags = [
    { Key: SHERPA_TAG, Value: 'true' },
    { Key: POOL_TAG, Value: request.pool },
    { Key: SLOT_TAG, Value: request.slot },
    { Key: 'Name', Value: `sherpa-${request.pool}` },
  ];
  try {
    const output = await ec2.send(
      new RunInstancesCommand({
        LaunchTemplate: template,
        InstanceType: request.instanceType as _InstanceType,
        MinCount: 1,
        MaxCount: 1,
        ClientToken: request.clientToken,
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tags },
          { ResourceType: 'volume', Tags: tags },
        ],
        ...(request.market === 'spot'
          ? {
              InstanceMarketOptions: {
                MarketType: 'spot',
                SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' },
              },
            }
          : {}),
      }),
    );
    const [instance] = parseAws(RunInstancesSchema, output, 'EC2 RunInstances').Instances;
    if (!instance) throw new Error('EC2 RunInstances answered without an instance');
    return statusOf(instance);
  } catch (error) {
    const code = capacityCode(error);
    if (code) throw new LaunchCapacityError(code, (error as Error).message);
    throw error;
  }
}

/** The instance launched with this client token (DescribeInstances' `client-token` filter), if any. */
export async function findLaunchedInstance(
  ec2: EC2Client,
  clientToken: string,
): Promise<InstanceStatus | undefined> {
  const output = await ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'client-token', Values: [clientToken] }] }),
  );
  const instances = parseAws(DescribeInstancesSchema, output, 'EC2 DescribeInstances').Reservations.flatMap(
    (reservation) => reservation.Instances,
  );
  const live = instances.find((instance) => instance.State.Name !== 'terminated');
  return live && statusOf(live);
}

export async function terminateInstance(ec2: EC2Client, instanceId: string): Promise<void> {
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
}
