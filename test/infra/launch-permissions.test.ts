import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { launchInstance } from '../../src/adapters/ec2-ssm/launch-instance.js';
import { evaluate } from './support/iam-policy.js';
import { deploy } from './support/stack.js';

const GPU = {
  GpuAmiId: 'ami-0fedcba9876543210',
  GpuAmiName: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 24.04) 20261120',
};
const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const arn = (resource: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${resource}`;

/** Issue 12, item 7: the bot launches only from Sherpa's templates with Sherpa's tags, and terminates only what they launched. */
describe('launch and terminate permissions of the bot role', () => {
  const stack = deploy(GPU);
  const { resources, resolver } = stack;
  const statements = stack.roleStatements('BotRole');
  const neuron = arn(`launch-template/${resolver.ref('NeuronLaunchTemplate')}`);
  const cuda = arn(`launch-template/${resolver.ref('CudaLaunchTemplate')}`);
  const can = (action: string, resource: string, context: Record<string, string> = {}) =>
    evaluate(statements, { action, resource, context }) === 'allow';
  // What src/adapters/ec2-ssm/launch-instance.ts puts on every instance it launches (proved below).
  const launched = { 'aws:RequestTag/sherpa:managed': 'true' };

  it('without a GPU AMI, grants no launch of a CUDA instance', () => {
    const plain = deploy();
    expect(plain.roleStatements('BotRole').map((statement) => statement.Sid)).not.toContain(
      'LaunchCudaRunners',
    );
    const plainNeuron = arn(`launch-template/${plain.resolver.ref('NeuronLaunchTemplate')}`);
    const launch = (template: string, type: string) =>
      evaluate(plain.roleStatements('BotRole'), {
        action: 'ec2:RunInstances',
        resource: arn('instance/*'),
        context: { 'ec2:LaunchTemplate': template, 'ec2:InstanceType': type, ...launched },
      });
    expect(launch(plainNeuron, 'trn1.2xlarge')).toBe('allow');
    expect(launch(cuda, 'g5.xlarge')).toBe('implicit-deny');
  });

  it('launches an instance only from a Sherpa template, with Sherpa’s tags and a type of that backend', () => {
    const instance = arn('instance/*');
    const from = (template: string, type: string, tags: Record<string, string>) =>
      can('ec2:RunInstances', instance, {
        'ec2:LaunchTemplate': template,
        'ec2:InstanceType': type,
        ...tags,
      });
    expect(from(neuron, 'trn1.2xlarge', launched)).toBe(true);
    expect(from(neuron, 'trn1.32xlarge', launched)).toBe(true);
    expect(from(cuda, 'g5.xlarge', launched)).toBe(true);
    expect(from(cuda, 'p5.48xlarge', launched)).toBe(true);
    // Another template, no template, the wrong backend's types, missing or foreign tags: refused.
    expect(from(arn('launch-template/lt-0someoneelse0000'), 'trn1.2xlarge', launched)).toBe(false);
    expect(
      can('ec2:RunInstances', instance, {
        'ec2:InstanceType': 'trn1.2xlarge',
        ...launched,
      }),
    ).toBe(false);
    expect(from(neuron, 'g5.xlarge', launched)).toBe(false);
    expect(from(cuda, 'trn1.2xlarge', launched)).toBe(false);
    expect(from(cuda, 'x2iedn.32xlarge', launched)).toBe(false);
    expect(from(neuron, 'trn1.2xlarge', {})).toBe(false);
    expect(from(neuron, 'trn1.2xlarge', { 'aws:RequestTag/sherpa:role': 'trainium-runner' })).toBe(false);
    expect(
      from(neuron, 'trn1.2xlarge', {
        ...launched,
        'aws:RequestTag/sherpa:managed': 'false',
      }),
    ).toBe(false);
  });

  it('takes the AMI and security group only as the templates name them, and subnets only in the runner VPC', () => {
    const fromTemplate = { 'ec2:LaunchTemplate': neuron, 'ec2:IsLaunchTemplateResource': 'true' };
    const neuronAmi = `arn:aws:ec2:${REGION}::image/ami-0123456789abcdef0`;
    const group = arn(`security-group/${resolver.ref('RunnerSecurityGroup')}`);
    expect(can('ec2:RunInstances', neuronAmi, fromTemplate)).toBe(true);
    expect(
      can('ec2:RunInstances', `arn:aws:ec2:${REGION}::image/${GPU.GpuAmiId}`, {
        ...fromTemplate,
        'ec2:LaunchTemplate': cuda,
      }),
    ).toBe(true);
    expect(can('ec2:RunInstances', group, fromTemplate)).toBe(true);
    expect(can('ec2:RunInstances', neuron)).toBe(true);
    // The caller overriding the template's AMI or group, or any other AMI or group: refused.
    expect(
      can('ec2:RunInstances', neuronAmi, { ...fromTemplate, 'ec2:IsLaunchTemplateResource': 'false' }),
    ).toBe(false);
    expect(can('ec2:RunInstances', `arn:aws:ec2:${REGION}::image/ami-0badbadbadbadbad0`, fromTemplate)).toBe(
      false,
    );
    expect(can('ec2:RunInstances', arn('security-group/sg-0open0000000000'), fromTemplate)).toBe(false);
    expect(can('ec2:RunInstances', arn('launch-template/lt-0someoneelse0000'))).toBe(false);
    const subnet = arn('subnet/subnet-0aaa');
    const vpc = arn('vpc/vpc-0123456789abcdef0');
    expect(can('ec2:RunInstances', subnet, { 'ec2:LaunchTemplate': neuron, 'ec2:Vpc': vpc })).toBe(true);
    expect(
      can('ec2:RunInstances', subnet, { 'ec2:LaunchTemplate': neuron, 'ec2:Vpc': arn('vpc/vpc-0other') }),
    ).toBe(false);
    for (const resource of ['volume/*', 'network-interface/*', 'spot-instances-request/*']) {
      expect(can('ec2:RunInstances', arn(resource), { 'ec2:LaunchTemplate': cuda }), resource).toBe(true);
      expect(can('ec2:RunInstances', arn(resource)), resource).toBe(false);
    }
  });

  it('tags only while launching, and passes only the runner role, only to EC2', () => {
    const instance = arn('instance/i-0abc');
    expect(can('ec2:CreateTags', instance, { 'ec2:CreateAction': 'RunInstances' })).toBe(true);
    expect(
      can('ec2:CreateTags', arn('spot-instances-request/sir-1'), { 'ec2:CreateAction': 'RunInstances' }),
    ).toBe(true);
    // Re-tagging an existing instance (say, to make it terminable) is refused.
    expect(can('ec2:CreateTags', instance)).toBe(false);
    expect(can('ec2:CreateTags', instance, { 'ec2:CreateAction': 'CreateVolume' })).toBe(false);
    expect(can('ec2:DeleteTags', instance)).toBe(false);
    const runnerRole = resolver.getAtt('RunnerRole', 'Arn');
    expect(can('iam:PassRole', runnerRole, { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe(true);
    expect(can('iam:PassRole', runnerRole, { 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe(false);
    expect(
      can('iam:PassRole', resolver.getAtt('BotRole', 'Arn'), { 'iam:PassedToService': 'ec2.amazonaws.com' }),
    ).toBe(false);
  });

  it('allows the very RunInstances request the EC2 adapter sends, spot or on-demand, and commands what it launched', async () => {
    const ec2 = new EC2Client({
      region: REGION,
      credentials: { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake' },
    });
    const mock = mockClient(ec2);
    mock
      .on(RunInstancesCommand)
      .resolves({ Instances: [{ InstanceId: 'i-0abc', State: { Name: 'pending' } }] });
    const templateId = resolver.ref('NeuronLaunchTemplate');
    for (const market of ['spot', 'on-demand'] as const) {
      await launchInstance(ec2, {
        pool: 'trn1-spot',
        slot: '0',
        instanceType: 'trn1.2xlarge',
        launchTemplate: { id: templateId, version: '$Latest' },
        market,
        clientToken: `token-${market}`,
      });
    }
    mock.restore();
    for (const call of mock.commandCalls(RunInstancesCommand)) {
      const input = call.args[0].input;
      const instanceTags =
        input.TagSpecifications?.find((spec) => spec.ResourceType === 'instance')?.Tags ?? [];
      const requestTags = Object.fromEntries(
        instanceTags.map((tag) => [`aws:RequestTag/${tag.Key}`, tag.Value ?? '']),
      );
      const context = {
        ...requestTags,
        'ec2:LaunchTemplate': arn(`launch-template/${input.LaunchTemplate?.LaunchTemplateId}`),
        'ec2:InstanceType': String(input.InstanceType),
      };
      expect(can('ec2:RunInstances', arn('instance/*'), context)).toBe(true);
      if (input.InstanceMarketOptions?.MarketType === 'spot') {
        expect(can('ec2:RunInstances', arn('spot-instances-request/*'), context)).toBe(true);
      }
      const resourceTags = Object.fromEntries(
        instanceTags.map((tag) => [`ssm:resourceTag/${tag.Key}`, tag.Value ?? '']),
      );
      expect(can('ssm:SendCommand', arn('instance/i-0abc'), resourceTags)).toBe(true);
      const ec2Tags = Object.fromEntries(
        instanceTags.map((tag) => [`aws:ResourceTag/${tag.Key}`, tag.Value ?? '']),
      );
      expect(can('ec2:TerminateInstances', arn('instance/i-0abc'), ec2Tags)).toBe(true);
    }
    expect(mock.commandCalls(RunInstancesCommand)).toHaveLength(2);
  });

  it('terminates only instances its templates launched, never the fixed runner or anything else', () => {
    const instance = arn('instance/i-0abc');
    expect(can('ec2:TerminateInstances', instance, { 'aws:ResourceTag/sherpa:managed': 'true' })).toBe(true);
    const fixedRunnerTags = (
      resources.RunnerInstance?.Properties as { Tags: { Key: string; Value: string }[] }
    ).Tags;
    const fixed = Object.fromEntries(fixedRunnerTags.map((tag) => [`aws:ResourceTag/${tag.Key}`, tag.Value]));
    expect(can('ec2:TerminateInstances', instance, fixed)).toBe(false);
    expect(can('ec2:TerminateInstances', instance)).toBe(false);
    expect(can('ec2:TerminateInstances', instance, { 'aws:ResourceTag/sherpa:managed': 'false' })).toBe(
      false,
    );
  });

  it('may create the spot service-linked role and no other role', () => {
    const spot = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot`;
    expect(can('iam:CreateServiceLinkedRole', spot, { 'iam:AWSServiceName': 'spot.amazonaws.com' })).toBe(
      true,
    );
    expect(can('iam:CreateServiceLinkedRole', spot)).toBe(false);
    const other = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
    expect(
      can('iam:CreateServiceLinkedRole', other, { 'iam:AWSServiceName': 'autoscaling.amazonaws.com' }),
    ).toBe(false);
    expect(can('iam:CreateRole', arn('role/x'))).toBe(false);
  });
});
