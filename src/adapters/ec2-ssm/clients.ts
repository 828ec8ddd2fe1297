import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface Ec2SsmClients {
  ec2: EC2Client;
  ssm: SSMClient;
  /**
   * The client that sends run commands: no SDK retries, because SendCommand has no idempotency token and a
   * retried send after a lost answer would start the run twice (issue 10). Falls back to `ssm` when absent.
   */
  ssmSend?: SSMClient;
}

/**
 * One EC2 and one SSM client for the process. Endpoints come from `AWS_ENDPOINT_URL_EC2` / `_SSM` when set
 * (the SDK reads them itself), which is how tests point Sherpa at the loopback fake. The SDK's standard
 * retry handles throttling and 5xx; the adapter adds the slow, user-visible retries (capacity, agent).
 */
export function createEc2SsmClients(region: string): Ec2SsmClients {
  const requestHandler = () => new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 });
  return {
    ec2: new EC2Client({ region, maxAttempts: 3, requestHandler: requestHandler() }),
    ssm: new SSMClient({ region, maxAttempts: 3, requestHandler: requestHandler() }),
    ssmSend: new SSMClient({ region, maxAttempts: 1, requestHandler: requestHandler() }),
  };
}

/**
 * The Service Quotas client `npm run doctor` reads the pools' vCPU quotas with. Like the others, its endpoint
 * comes from `AWS_ENDPOINT_URL_SERVICE_QUOTAS` when set (the SDK reads it itself).
 */
export function createServiceQuotasClient(region: string): ServiceQuotasClient {
  return new ServiceQuotasClient({
    region,
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
  });
}
