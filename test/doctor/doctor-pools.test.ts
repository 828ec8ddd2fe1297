import {
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ComputePool } from '../../src/config/compute-pools.js';
import { poolCheck } from '../../src/doctor/pool-check.js';
import { FakeAwsError } from '../support/fake-aws/aws-fault.js';

const ec2 = new EC2Client({ region: 'us-east-1' });
const ec2Mock = mockClient(ec2);
const quotas = new ServiceQuotasClient({ region: 'us-east-1' });
const quotasMock = mockClient(quotas);

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
  beforeEach(() => {
    ec2Mock.reset();
    quotasMock.reset();
  });

  it('checks each launch template: the pinned AMI, the runner role, the subnets, and the vCPU quota', async () => {
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

    quotasMock
      .on(GetServiceQuotaCommand, { ServiceCode: 'ec2', QuotaCode: 'L-6B0D517C' })
      .resolves({ Quota: { QuotaCode: 'L-6B0D517C', Value: 256 } })
      .on(GetServiceQuotaCommand, { ServiceCode: 'ec2', QuotaCode: 'L-3819A6DF' })
      .resolves({ Quota: { QuotaCode: 'L-3819A6DF', Value: 4 } });

    const results = await poolCheck(ec2, quotas, [
      launchPool('trn1-spot', 'neuron', 'lt-0aaaaaaaaaaaaaaa1'),
      launchPool('gpu-spot', 'cuda', 'lt-0bbbbbbbbbbbbbbb2'),
      launchPool('gone', 'cuda', 'lt-0ccccccccccccccc3'),
    ]).run();
    const of = (pool: string) => results.filter((result) => result.target.startsWith(pool));
    expect(of('trn1-spot').map((result) => result.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    // max 2 × trn1.2xlarge (8 vCPUs) = 16 of the Trn spot quota's 256.
    expect(of('trn1-spot')[3]?.detail).toMatch(
      /spot quota L-6B0D517C .* is 256 vCPUs, room for max 2 × trn1.2xlarge \(8 vCPUs\): 16 vCPUs$/,
    );
    const gpu = of('gpu-spot');
    expect(gpu.map((result) => result.status)).toEqual(['fail', 'fail', 'fail', 'fail']);
    expect(gpu[0]?.detail).toContain('is not the pinned cuda AMI');
    expect(gpu[1]?.detail).toContain('no instance profile');
    expect(gpu[2]?.detail).toContain('subnet-0gone');
    // The G and VT spot quota (4) must hold both GPU pools' maxes at once: 2 × 4 + 2 × 4 = 16 vCPUs.
    expect(gpu[3]?.detail).toContain('L-3819A6DF (All G and VT Spot Instance Requests) is 4 vCPUs');
    expect(gpu[3]?.detail).toContain('max 2 × g5.xlarge (4 vCPUs) plus pool(s) gone need 16');
    expect(gpu[3]?.fix).toMatch(/increase of L-3819A6DF to at least 16.*maxes of the pools that share it/);
    expect(of('gone')).toEqual([expect.objectContaining({ status: 'fail' })]);
    expect(of('gone')[0]?.detail).toMatch(/DescribeLaunchTemplateVersions|does not exist/);
  });

  const templateOk = () => {
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({
      LaunchTemplateVersions: [
        {
          LaunchTemplateData: {
            ImageId: 'ami-0neuron',
            IamInstanceProfile: { Name: 'sherpa-runner' },
          },
        },
      ],
    });
    ec2Mock
      .on(DescribeImagesCommand)
      .resolves({ Images: [{ Name: 'Deep Learning AMI Neuron PyTorch 2.9 (Ubuntu 22.04) 20251201' }] });
  };

  it('says which permission to add when the quota cannot be read', async () => {
    templateOk();
    quotasMock
      .on(GetServiceQuotaCommand)
      .rejects(
        new FakeAwsError(
          'AccessDeniedException',
          'User: arn:aws:sts::123456789012:assumed-role/sherpa-bot/i-0 is not authorized to perform: servicequotas:GetServiceQuota',
          400,
        ),
      );
    const results = await poolCheck(ec2, quotas, [
      launchPool('trn1-spot', 'neuron', 'lt-0aaaaaaaaaaaaaaa1'),
    ]).run();
    const quota = results[3];
    expect(quota?.status).toBe('fail');
    expect(quota?.detail).toMatch(
      /L-6B0D517C .*could not be read: missing permission servicequotas:GetServiceQuota/,
    );
    expect(quota?.fix).toContain('Allow servicequotas:GetServiceQuota');
  });

  it('checks both quotas of a spot-then-on-demand pool', async () => {
    templateOk();
    quotasMock
      .on(GetServiceQuotaCommand, { QuotaCode: 'L-6B0D517C' })
      .resolves({ Quota: { Value: 16 } })
      .on(GetServiceQuotaCommand, { QuotaCode: 'L-2C3B7624' })
      .resolves({ Quota: { Value: 8 } });
    const pool = {
      ...launchPool('trn1', 'neuron', 'lt-0aaaaaaaaaaaaaaa1'),
      market: 'spot-then-on-demand' as const,
    };
    const results = await poolCheck(ec2, quotas, [pool]).run();
    expect(results.slice(3).map((result) => [result.status, result.detail.slice(0, 25)])).toEqual([
      ['ok', 'spot quota L-6B0D517C (Al'],
      ['fail', 'on-demand quota L-2C3B762'],
    ]);
    expect(results[4]?.fix).toContain("lower the pool's max to 1");
  });
});
