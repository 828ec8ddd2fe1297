import { join } from 'node:path';
import { LocalCompute } from '../adapters/local-compute/index.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Compute } from '../ports/compute.js';
import type { StorageContext } from './storage-context.js';

/**
 * `COMPUTE`: `ec2` (the default when TRAINIUM_INSTANCE_IDS is set) drives the trn1 instances through EC2 and
 * SSM; `local` runs the runner on this host (trials, tests); `none` leaves runs off and the Run buttons say so.
 * The EC2 and SSM SDK clients (about 45 MiB once loaded) are imported only when `ec2` is chosen (issue 14).
 */
export async function createCompute(context: StorageContext, blobs: BlobStore): Promise<Compute | undefined> {
  const { config, logger, clock, sleep } = context;
  switch (config.compute.kind) {
    case 'none':
      return undefined;
    case 'local':
      return new LocalCompute({ blobs, logger, workRoot: join(config.dataDir, 'runner-work') });
    case 'ec2': {
      const { createEc2SsmClients, Ec2SsmCompute } = await import('../adapters/ec2-ssm/index.js');
      return new Ec2SsmCompute({
        clients: createEc2SsmClients(config.aws.region),
        instanceIds: config.compute.instanceIds,
        hourlyPriceUsd: config.compute.hourlyPriceUsd,
        ...(config.compute.runnerRoleId ? { runnerRoleId: config.compute.runnerRoleId } : {}),
        blobs,
        clock,
        sleep,
        logger,
      });
    }
  }
}
