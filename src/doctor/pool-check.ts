import type { EC2Client } from '@aws-sdk/client-ec2';
import { probeLaunchTemplate } from '../adapters/ec2-ssm/probe-launch-template.js';
import type { ComputePool } from '../config/compute-pools.js';
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

async function checkLaunchPool(
  ec2: EC2Client,
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
  // The project ships no Service Quotas client; say so rather than imply the quota was checked.
  results.push(
    skipped(
      CHECK,
      target,
      `quota not checked (needs @aws-sdk/client-service-quotas, which Sherpa does not ship): check the ${pool.market === 'on-demand' ? 'On-Demand' : 'Spot'} vCPU quota for ${pool.instanceType} × ${pool.max} in the Service Quotas console`,
    ),
  );
  return results;
}

/** Every launch pool's template: it exists, uses the pinned AMI, gives the runner role, names real subnets. */
export function poolCheck(ec2: EC2Client, pools: readonly ComputePool[]): DoctorCheck {
  return {
    name: CHECK,
    async run() {
      const results: CheckResult[] = [];
      for (const pool of pools) {
        if (pool.mode === 'fixed') {
          results.push(passed(CHECK, pool.name, `fixed: ${pool.instanceIds.join(', ')} (see ec2 instance)`));
          continue;
        }
        try {
          results.push(...(await checkLaunchPool(ec2, pool)));
        } catch (error) {
          const why = explainAwsFailure(error);
          results.push(failed(CHECK, pool.name, why.detail, why.fix));
        }
      }
      return results;
    },
  };
}
