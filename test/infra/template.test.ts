import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deploy } from './support/stack.js';

type Props = Record<string, unknown>;
const ofType = (resources: ReturnType<typeof deploy>['resources'], type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

describe('infra/sherpa.yaml', () => {
  const stack = deploy();
  const { resources } = stack;

  it('resolves every !Ref, !GetAtt and !Sub with and without the OpenSearch domain', () => {
    expect(() => deploy({ CreateOpenSearchDomain: 'true' })).not.toThrow();
    expect(() =>
      deploy({ ExistingOpenSearchDomainArn: 'arn:aws:es:us-east-1:111122223333:domain/x' }),
    ).not.toThrow();
    for (const output of Object.values(stack.template.Outputs)) {
      if (output.Condition && !stack.resolver.condition(output.Condition)) continue;
      expect(() => stack.resolver.resolve(output.Value)).not.toThrow();
    }
  });

  it('has no circular dependency between resources (CloudFormation refuses one)', () => {
    const names = new Set(Object.keys(stack.template.Resources));
    const referencesIn = (node: unknown, into: Set<string>): Set<string> => {
      if (Array.isArray(node)) node.forEach((item) => referencesIn(item, into));
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
          if (key === 'Ref' && typeof value === 'string' && names.has(value)) into.add(value);
          if (key === 'Fn::GetAtt') into.add((value as string[])[0] as string);
          if (key === 'Fn::Sub') {
            const text = Array.isArray(value) ? String(value[0]) : String(value);
            for (const match of text.matchAll(/\$\{([^!}][^}.]*)/g))
              if (names.has(match[1] as string)) into.add(match[1] as string);
          }
          referencesIn(value, into);
        }
      }
      return into;
    };
    const edges = new Map(
      Object.entries(stack.template.Resources).map(([id, resource]) => {
        const deps = referencesIn(resource, new Set());
        for (const dep of [(resource as { DependsOn?: string | string[] }).DependsOn ?? []].flat())
          deps.add(dep);
        return [id, deps];
      }),
    );
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') throw new Error(`circular dependency: ${[...path, id].join(' → ')}`);
      state.set(id, 'visiting');
      for (const dep of edges.get(id) ?? []) visit(dep, [...path, id]);
      state.set(id, 'done');
    };
    expect(() => [...edges.keys()].forEach((id) => visit(id, []))).not.toThrow();
  });

  it('encrypts, blocks public access to and enforces TLS on every bucket', () => {
    const buckets = ofType(resources, 'AWS::S3::Bucket');
    expect(buckets.length).toBeGreaterThanOrEqual(2);
    for (const [id, bucket] of buckets) {
      const p = bucket.Properties as Props;
      expect(p.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(JSON.stringify(p.BucketEncryption), id).toMatch(/"SSEAlgorithm":"(AES256|aws:kms)"/);
      const policy = ofType(resources, 'AWS::S3::BucketPolicy').find(
        ([, r]) => (r.Properties as Props).Bucket === stack.resolver.ref(id),
      );
      expect(JSON.stringify(policy?.[1].Properties), `${id} denies plain HTTP`).toContain(
        '"aws:SecureTransport":"false"',
      );
    }
  });

  it('versions the data bucket and expires old results', () => {
    const p = resources.DataBucket?.Properties as Props;
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const rules = (p.LifecycleConfiguration as { Rules: Props[] }).Rules;
    const results = rules.find((rule) => rule.Prefix === 'results/');
    expect(results?.Status).toBe('Enabled');
    expect(Number(results?.ExpirationInDays)).toBe(365);
    expect(deploy({ ResultsRetentionDays: '90' }).resources.DataBucket?.Properties).toMatchObject({
      LifecycleConfiguration: {
        Rules: expect.arrayContaining([expect.objectContaining({ ExpirationInDays: '90' })]),
      },
    });
  });

  it('creates the four FIFO work queues, each redriving to a FIFO dead-letter queue', () => {
    for (const name of ['Judge', 'Codegen', 'Run', 'Evolve']) {
      const queue = resources[`${name}Queue`]?.Properties as Props;
      expect(queue.FifoQueue).toBe(true);
      expect(String(queue.QueueName)).toMatch(/\.fifo$/);
      expect(queue.ContentBasedDeduplication).toBe(false); // Sherpa sends its own deduplication ids
      expect(queue.SqsManagedSseEnabled).toBe(true);
      const redrive = queue.RedrivePolicy as { deadLetterTargetArn: string; maxReceiveCount: string };
      expect(redrive.maxReceiveCount).toBe('5');
      const dlq = resources[`${name}DeadLetterQueue`]?.Properties as Props;
      expect(redrive.deadLetterTargetArn).toBe(stack.resolver.getAtt(`${name}DeadLetterQueue`, 'Arn'));
      expect(dlq.FifoQueue).toBe(true);
      expect(String(dlq.QueueName)).toMatch(/-dlq\.fifo$/);
    }
  });

  it('creates the OpenSearch domain only when asked, encrypted and HTTPS-only', () => {
    expect(resources.SearchDomain).toBeUndefined();
    const domain = deploy({ CreateOpenSearchDomain: 'true' }).resources.SearchDomain?.Properties as Props;
    expect(domain.EncryptionAtRestOptions).toEqual({ Enabled: true });
    expect(domain.NodeToNodeEncryptionOptions).toEqual({ Enabled: true });
    expect(domain.DomainEndpointOptions).toMatchObject({ EnforceHTTPS: true });
  });

  it('opens no inbound port anywhere', () => {
    expect(ofType(resources, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
    const groups = ofType(resources, 'AWS::EC2::SecurityGroup');
    expect(groups.length).toBeGreaterThan(0);
    for (const [id, group] of groups) {
      expect((group.Properties as Props).SecurityGroupIngress, id).toBeUndefined();
      for (const rule of ((group.Properties as Props).SecurityGroupEgress as Props[]) ?? []) {
        expect(rule, `${id} egress`).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
      }
    }
    for (const [, instance] of ofType(resources, 'AWS::EC2::Instance')) {
      expect((instance.Properties as Props).SecurityGroupIds).toEqual([
        stack.resolver.ref('RunnerSecurityGroup'),
      ]);
      expect((instance.Properties as Props).NetworkInterfaces).toBeUndefined();
    }
  });

  it('launches a trn1 runner from the operator-pinned Neuron 2.29 PyTorch 2.9 DLAMI, never a latest alias', () => {
    const text = readFileSync(new URL('../../infra/sherpa.yaml', import.meta.url), 'utf8');
    expect(text).not.toMatch(/resolve:ssm|AWS::SSM::Parameter::Value|\/latest\/|\/aws\/service\//);
    const ami = stack.template.Parameters.RunnerAmiId;
    expect(ami?.Type).toBe('AWS::EC2::Image::Id');
    expect(ami?.Default).toBeUndefined();
    const namePattern = new RegExp(String(stack.template.Parameters.RunnerAmiName?.AllowedPattern));
    expect(namePattern.test('Deep Learning AMI Neuron PyTorch 2.9 (Ubuntu 24.04) 20260301')).toBe(true);
    expect(namePattern.test('Deep Learning AMI Neuron (Ubuntu 24.04) 20260801')).toBe(false);
    expect(namePattern.test('Deep Learning AMI Neuron PyTorch 2.8 (Ubuntu 22.04) 20250601')).toBe(false);

    const instance = resources.RunnerInstance?.Properties as Props;
    expect(instance.ImageId).toBe('ami-0123456789abcdef0');
    expect(String(instance.InstanceType)).toMatch(/^trn1\./);
    expect(instance.IamInstanceProfile).toBe(stack.resolver.ref('RunnerInstanceProfile'));
    expect(instance.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'sherpa:role', Value: 'trainium-runner' },
        { Key: 'sherpa:ami-name', Value: 'Deep Learning AMI Neuron PyTorch 2.9 (Ubuntu 24.04) 20260301' },
      ]),
    );
  });

  it('requires IMDSv2 on the runner instance: tokens required, one hop, no IPv6 endpoint', () => {
    const resources = stack.template.Resources;
    const launch = resources.RunnerLaunchTemplate?.Properties as { LaunchTemplateData: Props };
    expect(launch.LaunchTemplateData.MetadataOptions).toEqual({
      HttpEndpoint: 'enabled',
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 1,
      HttpProtocolIpv6: 'disabled',
    });
    // Every runner instance takes its metadata options from that template (its latest version), and nothing
    // overrides them: AWS::EC2::Instance has no MetadataOptions of its own, so the template is the only way.
    const instances = Object.entries(resources).filter(
      ([, resource]) => resource.Type === 'AWS::EC2::Instance',
    );
    expect(instances.length).toBeGreaterThan(0);
    for (const [, resource] of instances) {
      const properties = resource.Properties as Props;
      expect(properties.LaunchTemplate).toEqual({
        LaunchTemplateId: { Ref: 'RunnerLaunchTemplate' },
        Version: { 'Fn::GetAtt': ['RunnerLaunchTemplate', 'LatestVersionNumber'] },
      });
      expect(properties.MetadataOptions).toBeUndefined();
    }
  });

  it('outputs every value Sherpa is configured with', () => {
    const descriptions = Object.values(stack.template.Outputs).map((o) => o.Description ?? '');
    for (const variable of [
      'S3_BUCKET',
      'SQS_JUDGE_QUEUE_URL',
      'SQS_CODEGEN_QUEUE_URL',
      'SQS_RUN_QUEUE_URL',
      'SQS_EVOLVE_QUEUE_URL',
      'OPENSEARCH_URL',
      'TRAINIUM_INSTANCE_IDS',
      'TRAINIUM_RUNNER_ROLE_ID',
    ]) {
      expect(
        descriptions.some((d) => d.startsWith(variable)),
        variable,
      ).toBe(true);
    }
  });
});
