import { describe, expect, it } from 'vitest';
import { deploy } from './support/stack.js';

type Props = Record<string, unknown>;
const GPU = {
  GpuAmiId: 'ami-0fedcba9876543210',
  GpuAmiName: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 24.04) 20261120',
};

/** Issue 12, item 7: one launch template per backend for launch pools, each pinned to its AMI. */
describe('launch templates in infra/sherpa.yaml', () => {
  const stack = deploy(GPU);
  const { resources, resolver } = stack;
  const data = (id: string) =>
    (resources[id]?.Properties as { LaunchTemplateData: Props }).LaunchTemplateData;

  it('pins the Neuron DLAMI for trn1 and the Deep Learning Base GPU AMI for CUDA, never a latest alias', () => {
    expect(data('NeuronLaunchTemplate').ImageId).toBe('ami-0123456789abcdef0');
    expect(data('CudaLaunchTemplate').ImageId).toBe(GPU.GpuAmiId);
    const gpuName = new RegExp(String(stack.template.Parameters.GpuAmiName?.AllowedPattern));
    expect(gpuName.test(GPU.GpuAmiName)).toBe(true);
    expect(gpuName.test('Deep Learning ARM64 Base OSS Nvidia Driver GPU AMI (Ubuntu 24.04) 20261120')).toBe(
      false,
    );
    expect(gpuName.test('Deep Learning AMI Neuron PyTorch 2.9 (Ubuntu 24.04) 20260301')).toBe(false);
    expect(gpuName.test('')).toBe(true); // no GPU: no CUDA template
    for (const id of ['NeuronLaunchTemplate', 'CudaLaunchTemplate']) {
      const tags = (data(id).TagSpecifications as { ResourceType: string; Tags: Props[] }[]).find(
        (spec) => spec.ResourceType === 'instance',
      )?.Tags;
      expect(tags, id).toEqual(expect.arrayContaining([{ Key: 'sherpa:managed', Value: 'true' }]));
      expect(tags, id).toEqual(expect.arrayContaining([expect.objectContaining({ Key: 'sherpa:ami-name' })]));
    }
  });

  it('gives launched runners the contained runner’s setup: IMDSv2 only, its role, no inbound port, terminate on shutdown', () => {
    for (const id of ['NeuronLaunchTemplate', 'CudaLaunchTemplate']) {
      const template = data(id);
      expect(template.MetadataOptions, id).toEqual({
        HttpEndpoint: 'enabled',
        HttpTokens: 'required',
        HttpPutResponseHopLimit: 1,
        HttpProtocolIpv6: 'disabled',
      });
      expect(template.IamInstanceProfile, id).toEqual({
        Arn: resolver.getAtt('RunnerInstanceProfile', 'Arn'),
      });
      expect(template.SecurityGroupIds, id).toEqual([resolver.ref('RunnerSecurityGroup')]);
      expect(template.InstanceInitiatedShutdownBehavior, id).toBe('terminate');
      expect(JSON.stringify(template.BlockDeviceMappings), id).toContain('"Encrypted":true');
    }
  });

  it('without a GPU AMI, creates no CUDA template (and outputs none)', () => {
    const plain = deploy();
    expect(plain.resources.NeuronLaunchTemplate).toBeDefined();
    expect(plain.resources.CudaLaunchTemplate).toBeUndefined();
    expect(plain.resolver.condition('HasGpuAmi')).toBe(false);
    expect(plain.template.Outputs.CudaLaunchTemplateId?.Condition).toBe('HasGpuAmi');
  });

  it('outputs the launch template of each backend for the pool configuration', () => {
    expect(resolver.resolve(stack.template.Outputs.NeuronLaunchTemplateId?.Value)).toBe(
      resolver.ref('NeuronLaunchTemplate'),
    );
    expect(resolver.resolve(stack.template.Outputs.CudaLaunchTemplateId?.Value)).toBe(
      resolver.ref('CudaLaunchTemplate'),
    );
  });
});
