import { describe, expect, it } from 'vitest';
import { actionsOf, evaluate } from './support/iam-policy.js';
import { sdkCallsIn } from './support/sdk-calls.js';
import { deploy } from './support/stack.js';

/** The exact calls the bot makes (issue 6); a new call must be added here and to the template together. */
const BOT_ACTIONS = [
  'bedrock:InvokeModel',
  's3:GetObject',
  's3:PutObject',
  's3:ListBucket',
  'sqs:SendMessage',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'ec2:DescribeInstances',
  // The doctor's launch-pool check (src/adapters/ec2-ssm/probe-launch-template.ts).
  'ec2:DescribeLaunchTemplateVersions',
  'ec2:DescribeImages',
  'ec2:DescribeSubnets',
  // The doctor's vCPU quota check of each launch pool (src/adapters/ec2-ssm/probe-vcpu-quota.ts).
  'servicequotas:GetServiceQuota',
  'ec2:StartInstances',
  'ec2:StopInstances',
  'ssm:SendCommand',
  'ssm:GetCommandInvocation',
  // A run's command found again by its dispatch key (src/adapters/ec2-ssm/find-run-command.ts).
  'ssm:ListCommands',
  // A run cancelled from its thread (src/adapters/ec2-ssm/run-command.ts).
  'ssm:CancelCommand',
  'ssm:DescribeInstanceInformation',
  // Launch pools (issue 12, item 7; test/infra/launch-pools.test.ts proves their limits).
  'ec2:RunInstances',
  'ec2:CreateTags',
  'ec2:TerminateInstances',
  'iam:PassRole',
  'iam:CreateServiceLinkedRole',
];
const INDEX_ACTIONS = ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPut', 'es:ESHttpPost', 'es:ESHttpDelete'];

describe('bot role', () => {
  const stack = deploy({ CreateOpenSearchDomain: 'true' });
  const statements = stack.roleStatements('BotRole');
  const can = (action: string, resource: string, context: Record<string, string> = {}) =>
    evaluate(statements, { action, resource, context }) === 'allow';
  const region = 'us-east-1';
  const account = '111122223333';
  const profile = (id: string) => `arn:aws:bedrock:${region}:${account}:inference-profile/${id}`;

  it('grants exactly the listed actions, and no wildcard action', () => {
    expect([...actionsOf(statements)].sort()).toEqual([...BOT_ACTIONS, ...INDEX_ACTIONS].sort());
    expect([...actionsOf(deploy().roleStatements('BotRole'))].sort()).toEqual([...BOT_ACTIONS].sort());
    for (const action of actionsOf(statements)) expect(action).not.toContain('*');
    expect(stack.managedPolicyArns('BotRole')).toEqual([]);
  });

  it('covers every AWS call in the source (the code is the list)', () => {
    const root = new URL('../..', import.meta.url).pathname;
    const calls = sdkCallsIn(root, ['src/cli/migrate']);
    const granted = actionsOf(statements);
    const missing = calls.filter((call) => !granted.has(call.action));
    expect(missing).toEqual([]);
  });

  it('invokes only the two configured models, through their inference profiles', () => {
    const judge = profile('us.anthropic.claude-haiku-4-5-20251001-v1:0');
    const codegen = profile('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(can('bedrock:InvokeModel', judge)).toBe(true);
    expect(can('bedrock:InvokeModel', codegen)).toBe(true);
    expect(can('bedrock:InvokeModel', profile('us.anthropic.claude-opus-4-5-20251101-v1:0'))).toBe(false);
    const foundation = 'arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0';
    expect(can('bedrock:InvokeModel', foundation, { 'bedrock:InferenceProfileArn': judge })).toBe(true);
    // The foundation model directly (not through a profile) is refused.
    expect(can('bedrock:InvokeModel', foundation)).toBe(false);
    expect(can('bedrock:InvokeModelWithResponseStream', judge)).toBe(false);
  });

  it('uses only its own bucket, queues and dead-letter queues', () => {
    const bucket = stack.resolver.ref('DataBucket');
    expect(can('s3:PutObject', `arn:aws:s3:::${bucket}/code/abc.py`)).toBe(true);
    expect(can('s3:GetObject', `arn:aws:s3:::${bucket}/results/x/result.json`)).toBe(true);
    expect(can('s3:ListBucket', `arn:aws:s3:::${bucket}`)).toBe(true);
    expect(can('s3:GetObject', 'arn:aws:s3:::another-bucket/key')).toBe(false);
    expect(can('s3:DeleteObject', `arn:aws:s3:::${bucket}/code/abc.py`)).toBe(false);
    expect(can('s3:PutBucketPolicy', `arn:aws:s3:::${bucket}`)).toBe(false);
    for (const name of ['Judge', 'Codegen', 'Run', 'Evolve']) {
      const queue = stack.resolver.getAtt(`${name}Queue`, 'Arn');
      const dlq = stack.resolver.getAtt(`${name}DeadLetterQueue`, 'Arn');
      expect(can('sqs:SendMessage', queue)).toBe(true);
      expect(can('sqs:ChangeMessageVisibility', queue)).toBe(true);
      expect(can('sqs:ReceiveMessage', dlq)).toBe(true);
      expect(can('sqs:DeleteMessage', dlq)).toBe(true);
      expect(can('sqs:SendMessage', dlq)).toBe(true); // an unreadable body is dead-lettered at once
      expect(can('sqs:PurgeQueue', dlq)).toBe(false);
    }
    expect(can('sqs:SendMessage', `arn:aws:sqs:${region}:${account}:other.fifo`)).toBe(false);
    expect(can('sqs:PurgeQueue', stack.resolver.getAtt('RunQueue', 'Arn'))).toBe(false);
  });

  it('starts, stops and commands only instances tagged as Trainium runners, with AWS-RunShellScript', () => {
    const instance = `arn:aws:ec2:${region}:${account}:instance/i-0aaa1111`;
    const runner = {
      'aws:ResourceTag/sherpa:role': 'trainium-runner',
      'ssm:resourceTag/sherpa:role': 'trainium-runner',
    };
    expect(can('ec2:StartInstances', instance, runner)).toBe(true);
    expect(can('ec2:StopInstances', instance, runner)).toBe(true);
    expect(can('ec2:StopInstances', instance)).toBe(false);
    expect(can('ec2:TerminateInstances', instance, runner)).toBe(false);
    expect(can('ssm:SendCommand', instance, runner)).toBe(true);
    expect(can('ssm:SendCommand', instance, { 'ssm:resourceTag/sherpa:role': 'web' })).toBe(false);
    expect(can('ssm:SendCommand', `arn:aws:ssm:${region}::document/AWS-RunShellScript`)).toBe(true);
    expect(can('ssm:SendCommand', `arn:aws:ssm:${region}::document/AWS-RunPowerShellScript`)).toBe(false);
    expect(can('ssm:StartSession', instance, runner)).toBe(false);
  });

  it('reaches the index over HTTP only when a domain exists or is given', () => {
    const domain = stack.resolver.getAtt('SearchDomain', 'Arn');
    expect(can('es:ESHttpPut', `${domain}/sherpa-papers-v1/_doc/p_1`)).toBe(true);
    expect(can('es:DeleteDomain', domain)).toBe(false);
    const existing = 'arn:aws:es:us-east-1:111122223333:domain/team-search';
    const withExisting = deploy({ ExistingOpenSearchDomainArn: existing }).roleStatements('BotRole');
    expect(evaluate(withExisting, { action: 'es:ESHttpPost', resource: `${existing}/_bulk` })).toBe('allow');
    expect(evaluate(withExisting, { action: 'es:ESHttpPost', resource: `${domain}/_bulk` })).toBe(
      'implicit-deny',
    );
  });
});
