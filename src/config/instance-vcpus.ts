/**
 * vCPUs of the instance types in instance-prices.ts: EC2's instance quotas count vCPUs, not instances, so the
 * doctor needs them to tell whether a pool's `max` fits its quota (issue 12, item 1).
 * Source: the EC2 instance type pages (accelerated computing), https://aws.amazon.com/ec2/instance-types/.
 */
export const INSTANCE_VCPUS: Readonly<Record<string, number>> = {
  'trn1.2xlarge': 8,
  'trn1.32xlarge': 128,
  'trn1n.32xlarge': 128,
  'trn2.48xlarge': 192,
  'g5.xlarge': 4,
  'g5.2xlarge': 8,
  'g5.12xlarge': 48,
  'g5.48xlarge': 192,
  'g6.xlarge': 4,
  'g6.2xlarge': 8,
  'g6.12xlarge': 48,
  'p4d.24xlarge': 96,
  'p5.48xlarge': 192,
};
