import type { Config } from '../../config/load-config.js';
import type { Logger } from '../../logging/logger.js';
import type { Clock } from '../../ports/clock.js';
import type { CostLedger } from '../../ports/cost-ledger.js';
import { AdaptiveLimiter } from './adaptive-limiter.js';
import { BedrockLlm, type RetryPolicy } from './bedrock-llm.js';
import { createBedrockRuntimeClient } from './client.js';

export { AdaptiveLimiter } from './adaptive-limiter.js';
export { BedrockLlm, DEFAULT_RETRY, type BedrockLlmOptions, type RetryPolicy } from './bedrock-llm.js';
export { createBedrockRuntimeClient } from './client.js';
export * from './errors.js';

export interface CreateBedrockLlmOptions {
  config: Pick<Config, 'aws' | 'bedrock'>;
  ledger: CostLedger;
  logger: Logger;
  clock: Clock;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
}

/** The production `Llm`: one client and one adaptive limiter shared by the judge and code generation. */
export function createBedrockLlm(options: CreateBedrockLlmOptions): BedrockLlm {
  const { config } = options;
  return new BedrockLlm({
    client: createBedrockRuntimeClient({ region: config.aws.region }),
    prices: config.bedrock.prices,
    ledger: options.ledger,
    logger: options.logger.child({ component: 'bedrock' }),
    clock: options.clock,
    limiter: new AdaptiveLimiter({ maxConcurrency: config.bedrock.maxConcurrency }),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
}
export { checkAwsCredentials, type CredentialCheck } from './credentials.js';
