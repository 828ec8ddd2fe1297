import {
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ComputePool } from '../../src/config/compute-pools.js';
import { poolCheck } from '../../src/doctor/pool-check.js';
import { FakeAwsError } from '../support/fake-aws/aws-fault.js';

const ec2 = new EC2Client({ region: 'us-east-1' });
const ec2Mock = mockClient(ec2);

const launchPool = (name: string, backend: 'neuron' | 'cuda', id: string): ComputePool => ({
  name,
  instanceType: backend === 'neuron' ? 'trn1.2xlarge' : 'g5.xlarge',
  backend,
  mode: 'launch',
  launchTemplate: { id, version: '$Default' },
  max: 2,
  market: 'spot',
  hourlyUsd: 0.4,
  onDemandHourlyUsd: 1.2,
  idleMinutes: 10,
});

describe('doctor: compute pools (issue 12)', () => {
  beforeEach(() => ec2Mock.reset());

  it('checks each launch template: the pinned AMI, the runner role, the subnets, and says the quota is not checked', async () => {
    ec2Mock
      .on(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: 'lt-0aaaaaaaaaaaaaaa1' })
      .resolves({
        LaunchTemplateVersions: [
          {
            LaunchTemplateData: {
              ImageId: 'ami-0neuron',
              IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/sherpa-runner' },
              NetworkInterfaces: [{ SubnetId: 'subnet-0good' }],
            },
          },
        ],
      })
      .on(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: 'lt-0bbbbbbbbbbbbbbb2' })
      .resolves({
        LaunchTemplateVersions: [
          {
            LaunchTemplateData: { ImageId: 'ami-0ubuntu', NetworkInterfaces: [{ SubnetId: 'subnet-0gone' }] },
          },
        ],
      })
      .on(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: 'lt-0ccccccccccccccc3' })
      .rejects(
        new FakeAwsError('InvalidLaunchTemplateId.NotFound', 'The launch template does not exist', 400),
      );
    ec2Mock
      .on(DescribeImagesCommand, { ImageIds: ['ami-0neuron'] })
      .resolves({ Images: [{ Name: 'Deep Learning AMI Neuron PyTorch 2.9 (Ubuntu 22.04) 20251201' }] })
      .on(DescribeImagesCommand, { ImageIds: ['ami-0ubuntu'] })
      .resolves({ Images: [{ Name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04' }] });
    ec2Mock
      .on(DescribeSubnetsCommand, { SubnetIds: ['subnet-0good'] })
      .resolves({ Subnets: [{ SubnetId: 'subnet-0good' }] })
      .on(DescribeSubnetsCommand, { SubnetIds: ['subnet-0gone'] })
      .resolves({ Subnets: [] });

    const results = await poolCheck(ec2, [
      launchPool('trn1-spot', 'neuron', 'lt-0aaaaaaaaaaaaaaa1'),
      launchPool('gpu-spot', 'cuda', 'lt-0bbbbbbbbbbbbbbb2'),
      launchPool('gone', 'cuda', 'lt-0ccccccccccccccc3'),
    ]).run();
    const of = (pool: string) => results.filter((result) => result.target.startsWith(pool));
    expect(of('trn1-spot').map((result) => result.status)).toEqual(['ok', 'ok', 'ok', 'skip']);
    expect(of('trn1-spot')[3]?.detail).toMatch(/quota not checked .*client-service-quotas/);
    const gpu = of('gpu-spot');
    expect(gpu.map((result) => result.status)).toEqual(['fail', 'fail', 'fail', 'skip']);
    expect(gpu[0]?.detail).toContain('is not the pinned cuda AMI');
    expect(gpu[1]?.detail).toContain('no instance profile');
    expect(gpu[2]?.detail).toContain('subnet-0gone');
    expect(of('gone')).toEqual([expect.objectContaining({ status: 'fail' })]);
    expect(of('gone')[0]?.detail).toMatch(/DescribeLaunchTemplateVersions|does not exist/);
  });
});
