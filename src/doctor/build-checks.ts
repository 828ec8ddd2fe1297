import { createBedrockRuntimeClient } from '../adapters/bedrock/client.js';
import { createEc2SsmClients, createServiceQuotasClient } from '../adapters/ec2-ssm/clients.js';
import { createOpenSearchClient, OpenSearchHttp } from '../adapters/opensearch/index.js';
import { createS3Client } from '../adapters/s3/index.js';
import { SlackChat } from '../adapters/slack/index.js';
import { createSqsClient } from '../adapters/sqs/index.js';
import type { Config } from '../config/load-config.js';
import { createLogger } from '../logging/logger.js';
import { bedrockModelCheck } from './bedrock-model-check.js';
import { type DoctorCheck, skipped } from './check.js';
import { ec2InstanceCheck } from './ec2-instance-check.js';
import { poolCheck } from './pool-check.js';
import { manifestBotScopes } from './manifest-scopes.js';
import { openSearchIndexCheck } from './opensearch-index-check.js';
import { s3BucketCheck } from './s3-bucket-check.js';
import { slackAppTokenCheck } from './slack-app-token-check.js';
import { slackAuthCheck } from './slack-auth-check.js';
import { slackChannelCheck } from './slack-channel-check.js';
import { sqsQueueCheck } from './sqs-queue-check.js';
import { ssmAgentCheck } from './ssm-agent-check.js';

const notUsed = (name: string, why: string): DoctorCheck => ({
  name,
  run: async () => [skipped(name, '-', why)],
});

/**
 * Every check the configuration calls for: Slack always, Bedrock always (the judge needs it), and each AWS
 * service only when Sherpa is configured to use it (embedded storage shows as skipped, not failed).
 */
export function buildChecks(config: Config, options: { manifestScopes?: string[] } = {}): DoctorCheck[] {
  const region = config.aws.region;
  // One try per check: the doctor reports what fails now rather than retrying it for half an hour.
  const chat = new SlackChat({
    token: config.slack.botToken,
    ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}),
    logger: createLogger({ level: 'silent' }),
    retryConfig: { retries: 0 },
  });
  const checks: DoctorCheck[] = [
    slackAuthCheck(chat, options.manifestScopes ?? manifestBotScopes()),
    slackAppTokenCheck(config.slack.appToken, config.slack.apiUrl),
    slackChannelCheck(chat, config.slack.channel),
    bedrockModelCheck(
      createBedrockRuntimeClient({ region, requestTimeoutMs: 20_000 }),
      [
        { variable: 'BEDROCK_JUDGE_MODEL_ID', modelId: config.bedrock.judgeModelId },
        { variable: 'BEDROCK_CODEGEN_MODEL_ID', modelId: config.bedrock.codegenModelId },
      ],
      region,
    ),
  ];
  const { blob, queue, index } = config.storage;
  checks.push(
    blob.kind === 's3'
      ? s3BucketCheck(createS3Client({ region }), blob.bucket, blob.prefix)
      : notUsed('s3 bucket', 'S3_BUCKET unset: blobs are files under DATA_DIR'),
  );
  checks.push(
    queue.kind === 'sqs'
      ? sqsQueueCheck(
          createSqsClient(region),
          [
            { variable: 'SQS_JUDGE_QUEUE_URL', url: queue.judgeUrl },
            { variable: 'SQS_CODEGEN_QUEUE_URL', url: queue.codegenUrl },
            { variable: 'SQS_RUN_QUEUE_URL', url: queue.runUrl },
            ...(queue.evolveUrl ? [{ variable: 'SQS_EVOLVE_QUEUE_URL', url: queue.evolveUrl }] : []),
          ],
          region,
        )
      : notUsed('sqs queue', 'SQS_*_QUEUE_URL unset: queues are in DATA_DIR/sherpa.db'),
  );
  if (queue.kind === 'sqs' && !queue.evolveUrl) {
    // Optional so that stacks from before issue 13 keep working; without it only Evolve is unavailable.
    checks.push(
      notUsed(
        'sqs evolve queue',
        'SQS_EVOLVE_QUEUE_URL unset: Evolve searches cannot start; update the stack from infra/sherpa.yaml and set it from its EvolveQueueUrl output',
      ),
    );
  }
  checks.push(
    index.kind === 'opensearch'
      ? openSearchIndexCheck(
          new OpenSearchHttp(createOpenSearchClient(index, region), index.url),
          index.url,
          index.indexPrefix,
        )
      : notUsed('opensearch index', 'OPENSEARCH_URL unset: papers are in DATA_DIR/sherpa.db'),
  );
  if (config.compute.kind === 'ec2') {
    const clients = createEc2SsmClients(region);
    // Fixed instances only: launch pools have none until a run launches one (pool-check.ts looks at those).
    if (config.compute.instanceIds.length > 0) {
      checks.push(ec2InstanceCheck(clients, config.compute.instanceIds, region));
      checks.push(ssmAgentCheck(clients, config.compute.instanceIds, region));
    }
    checks.push(poolCheck(clients.ec2, createServiceQuotasClient(region), config.compute.pools));
  } else {
    checks.push(notUsed('ec2 instance', `COMPUTE=${config.compute.kind}: no Trainium instances configured`));
  }
  return checks;
}
