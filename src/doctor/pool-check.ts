import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { probeLaunchTemplate } from '../adapters/ec2-ssm/probe-launch-template.js';
import { type QuotaMarket, readEc2Quota, vcpuQuotaFor } from '../adapters/ec2-ssm/probe-vcpu-quota.js';
import type { ComputePool } from '../config/compute-pools.js';
import { INSTANCE_VCPUS } from '../config/instance-vcpus.js';
import { type CheckResult, type DoctorCheck, failed, passed, skipped } from './check.js';
import { explainAwsFailure } from './explain-aws-failure.js';

const CHECK = 'compute pool';

/**
 * The AMIs Sherpa pins per backend (infra/sherpa.yaml's RunnerAmiName pattern for Neuron; the Deep Learning
 * Base GPU AMI for CUDA): a launch template pointing anywhere else would run the code on an untested stack.
 */
export const PINNED_AMI_NAMES: Record<ComputePool['backend'], RegExp> = {
  neuron: /^Deep Learning AMI Neuron PyTorch 2\.9/,
  cuda: /^Deep Learning Base (OSS Nvidia Driver )?GPU AMI/,
};

/** The markets a pool draws from: spot-then-on-demand needs room in both quotas. */
function quotaMarkets(market: ComputePool['market']): QuotaMarket[] {
  return market === 'spot-then-on-demand' ? ['spot', 'on-demand'] : [market];
}

/** What each quota must hold: the vCPUs of every launch pool's `max` that draws from it, and those pools. */
type QuotaNeeds = Map<string, { vcpus: number; pools: string[] }>;

function quotaNeeds(pools: readonly ComputePool[]): QuotaNeeds {
  const needs: QuotaNeeds = new Map();
  for (const pool of pools) {
    const vcpus = INSTANCE_VCPUS[pool.instanceType];
    if (pool.mode !== 'launch' || vcpus === undefined) continue;
    for (const market of quotaMarkets(pool.market)) {
      const quota = vcpuQuotaFor(pool.instanceType, market);
      if (!quota) continue;
      const need = needs.get(quota.code) ?? { vcpus: 0, pools: [] };
      needs.set(quota.code, { vcpus: need.vcpus + pool.max * vcpus, pools: [...need.pools, pool.name] });
    }
  }
  return needs;
}

/**
 * The pool's `max` instances against the EC2 vCPU quota of its family and market: a quota below max × vCPUs
 * means launches fail on capacity long before the pool is full. Pools of one family and market share the
 * quota, so it must hold all their maxes at once.
 */
async function checkQuota(
  quotas: ServiceQuotasClient,
  needs: QuotaNeeds,
  pool: ComputePool & { mode: 'launch' },
  target: string,
  market: QuotaMarket,
): Promise<CheckResult> {
  const quota = vcpuQuotaFor(pool.instanceType, market);
  const vcpus = INSTANCE_VCPUS[pool.instanceType];
  const need = quota ? needs.get(quota.code) : undefined;
  if (!quota || vcpus === undefined || !need)
    return skipped(
      CHECK,
      target,
      `${market} quota not checked: Sherpa does not know ${quota ? `the vCPUs of ${pool.instanceType} (src/config/instance-vcpus.ts)` : `the EC2 quota for ${pool.instanceType}`}; check it in the Service Quotas console`,
    );
  const label = `${market} quota ${quota.code} (${quota.name})`;
  const others = need.pools.filter((name) => name !== pool.name);
  const wants = `max ${pool.max} × ${pool.instanceType} (${vcpus} vCPUs)${others.length > 0 ? ` plus pool(s) ${others.join(', ')}` : ''}`;
  try {
    const { value } = await readEc2Quota(quotas, quota.code);
    if (value === undefined)
      return failed(
        CHECK,
        target,
        `${label} came back without a value`,
        'Check it in the Service Quotas console',
      );
    if (value < need.vcpus)
      return failed(
        CHECK,
        target,
        `${label} is ${value} vCPUs; ${wants} need ${need.vcpus}`,
        `Request an increase of ${quota.code} to at least ${need.vcpus} in Service Quotas, or lower ${others.length > 0 ? 'the maxes of the pools that share it' : `the pool's max to ${Math.floor(value / vcpus)}`}`,
      );
    return passed(CHECK, target, `${label} is ${value} vCPUs, room for ${wants}: ${need.vcpus} vCPUs`);
  } catch (error) {
    const why = explainAwsFailure(error);
    return failed(CHECK, target, `${label} could not be read: ${why.detail}`, why.fix);
  }
}

async function checkLaunchPool(
  ec2: EC2Client,
  quotas: ServiceQuotasClient,
  needs: QuotaNeeds,
  pool: ComputePool & { mode: 'launch' },
): Promise<CheckResult[]> {
  const target = `${pool.name} (${pool.launchTemplate.id ?? pool.launchTemplate.name}@${pool.launchTemplate.version})`;
  const probe = await probeLaunchTemplate(ec2, pool.launchTemplate);
  if (!probe)
    return [
      failed(
        CHECK,
        target,
        'the launch template version has no data',
        'Check the template in the EC2 console',
      ),
    ];
  const results: CheckResult[] = [];
  const pinned = PINNED_AMI_NAMES[pool.backend];
  if (!probe.imageId || !probe.imageName || !pinned.test(probe.imageName)) {
    results.push(
      failed(
        CHECK,
        target,
        `the template's AMI ${probe.imageId ?? '(none)'} (${probe.imageName ?? 'name unknown'}) is not the pinned ${pool.backend} AMI (${pinned.source})`,
        'Point the launch template at the pinned AMI (infra/: RunnerAmiId), then set the pool’s version',
      ),
    );
  } else results.push(passed(CHECK, target, `AMI ${probe.imageId} (${probe.imageName})`));
  if (!probe.instanceProfile)
    results.push(
      failed(
        CHECK,
        target,
        'the template gives the instance no instance profile, so the runner has no role (no SSM, no S3)',
        'Set IamInstanceProfile to the runner instance profile from infra/ (stack output RunnerInstanceProfile)',
      ),
    );
  else results.push(passed(CHECK, target, `runner role via instance profile ${probe.instanceProfile}`));
  if (probe.missingSubnets.length > 0)
    results.push(
      failed(
        CHECK,
        target,
        `subnet(s) ${probe.missingSubnets.join(', ')} do not exist in this Region`,
        'Fix the subnet in the launch template',
      ),
    );
  else
    results.push(
      probe.subnetIds.length > 0
        ? passed(CHECK, target, `subnet(s) ${probe.subnetIds.join(', ')}`)
        : skipped(CHECK, target, 'the template names no subnet: EC2 uses the default VPC'),
    );
  for (const market of quotaMarkets(pool.market))
    results.push(await checkQuota(quotas, needs, pool, target, market));
  return results;
}

/**
 * Every launch pool's template (it exists, uses the pinned AMI, gives the runner role, names real subnets) and
 * the vCPU quota its `max` needs.
 */
export function poolCheck(
  ec2: EC2Client,
  quotas: ServiceQuotasClient,
  pools: readonly ComputePool[],
): DoctorCheck {
  return {
    name: CHECK,
    async run() {
      const results: CheckResult[] = [];
      const needs = quotaNeeds(pools);
      for (const pool of pools) {
        if (pool.mode === 'fixed') {
          results.push(passed(CHECK, pool.name, `fixed: ${pool.instanceIds.join(', ')} (see ec2 instance)`));
          continue;
        }
        try {
          results.push(...(await checkLaunchPool(ec2, quotas, needs, pool)));
        } catch (error) {
          const why = explainAwsFailure(error);
          results.push(failed(CHECK, pool.name, why.detail, why.fix));
        }
      }
      return results;
    },
  };
}
