import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { isValidCron } from './cron-expression.js';
import { type Env, EnvReader, problemFor, VARS } from './env-reader.js';
import { readConfigFile } from './read-config-file.js';
import { type ComputePool, resolvePools, shortcutPool } from './compute-pools.js';
import {
  type ModelPrice,
  type ResearchProfile,
  ResearchProfileSchema,
  type Schedule,
} from './config-file.js';

export type { Env } from './env-reader.js';

export const DEFAULT_JUDGE_MODEL_ID = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
export const DEFAULT_CODEGEN_MODEL_ID = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

/** On-demand prices per million tokens (aws.md §1). Override them in the config file's `prices.models`. */
export const DEFAULT_MODEL_PRICES: Record<string, ModelPrice> = {
  [DEFAULT_JUDGE_MODEL_ID]: {
    inputPerMTok: 1,
    outputPerMTok: 5,
    cacheReadPerMTok: 0.1,
    cacheWritePerMTok: 1.25,
  },
  [DEFAULT_CODEGEN_MODEL_ID]: {
    inputPerMTok: 3,
    outputPerMTok: 15,
    cacheReadPerMTok: 0.3,
    cacheWritePerMTok: 3.75,
  },
};

/** trn1.2xlarge on-demand in us-east-1 (aws.md §2). */
export const DEFAULT_INSTANCE_HOURLY_USD = 1.34375;

export interface Config {
  slack: {
    botToken: string;
    appToken: string;
    apiUrl: string | undefined;
    channel: string;
    approvers: { users: string[]; groups: string[] };
    clientPingTimeoutMs: number;
    serverPingTimeoutMs: number;
    /** Restart the socket if it stays disconnected this long (slack.md §6). */
    watchdogSeconds: number;
  };
  dataDir: string;
  logLevel: string;
  logFormat: 'json' | 'pretty';
  timezone: string;
  aws: { region: string };
  storage: {
    blob: { kind: 'file' } | { kind: 's3'; bucket: string; prefix: string };
    queue:
      | { kind: 'sqlite' }
      | { kind: 'sqs'; judgeUrl: string; codegenUrl: string; runUrl: string; evolveUrl?: string };
    index:
      | { kind: 'sqlite' }
      | {
          kind: 'opensearch';
          url: string;
          auth: 'sigv4' | 'basic' | 'none';
          service: 'es' | 'aoss';
          username: string | undefined;
          password: string | undefined;
          indexPrefix: string;
        };
  };
  sources: {
    openreview: {
      apiUrl: string;
      /** The public site: where PDFs are downloaded from (OPENREVIEW_WEB_URL). */
      webUrl: string;
      username: string | undefined;
      password: string | undefined;
    };
    arxiv: {
      apiUrl: string;
      /** Where arXiv PDFs are downloaded from (ARXIV_PDF_URL): `<base>/pdf/<id>`. */
      pdfUrl: string;
      categories: string[];
      query: string | undefined;
      pageSize: number;
      minIntervalMs: number;
    };
    mlsys: { proceedingsUrl: string };
    schedules: Schedule[];
  };
  bedrock: {
    judgeModelId: string;
    codegenModelId: string;
    maxConcurrency: number;
    prices: Record<string, ModelPrice>;
  };
  profile: ResearchProfile;
  threads: { maxPerDay: number };
  codegen: { maxFixRounds: number; runBudgetMinutes: number; allowedDatasetHosts: string[] };
  compute: {
    kind: 'none' | 'local' | 'ec2';
    instanceIds: string[];
    /** The runner role's RoleId: its S3 access is scoped to `jobs|results/<role id>:<instance id>/` (infra/). */
    runnerRoleId: string | undefined;
    idleStopMinutes: number;
    hourlyPriceUsd: number;
    runTimeoutMinutes: number;
    localBackend: 'neuron' | 'cuda' | 'cpu';
    /**
     * Every pool runs may be placed on (issue 12): `compute.pools` from the config file, or the one fixed trn1
     * pool TRAINIUM_INSTANCE_IDS stands for. Empty for `local` and `none`.
     */
    pools: ComputePool[];
    /** How often a run that lost its instance (spot interruption, instance lost) resumes from its checkpoint. */
    maxResumes: number;
    /** How often the runner syncs a run's checkpoint folder to its results prefix while it runs (issue 12). */
    checkpointSyncMinutes: number;
  };
  digest: { schedule: string; quietDay: 'one-line' | 'skip' };
  budget: { dailyUsd: number };
  /**
   * Evolve searches driven at once by this bot (issue 13). A search holds no instance of its own: its variants
   * lease instances from the same pool as runs, so this bounds model calls and bookkeeping, not instances.
   */
  evolve: {
    maxSearches: number;
    /**
     * How long a search's queue message stays hidden between heartbeats: a search whose bot died (a crash, a
     * kill -9) is picked up again by a running bot within this, and resumes where its record says it stopped.
     */
    visibilitySeconds: number;
  };
}

export interface LoadConfigOptions {
  /** Injected so that loadConfig stays pure in tests. */
  readFile?: (path: string) => string;
}

/**
 * Build the whole configuration from environment variables and the optional YAML file.
 * Precedence: environment variable > config file > default. Every problem is reported at once in one
 * `ConfigError` that names the variable, the expected form and where to get a value.
 */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): Config {
  const read = new EnvReader(env);
  const problems = read.problems;
  const configPath = read.string('SHERPA_CONFIG');
  const file = configPath
    ? readConfigFile(configPath, options.readFile ?? ((p) => readFileSync(p, 'utf8')), problems)
    : {};

  const botToken = read.string('SLACK_BOT_TOKEN');
  if (!botToken || !/^xoxb-[\w-]+$/.test(botToken)) problems.push(problemFor(VARS.SLACK_BOT_TOKEN, botToken));
  const appToken = read.string('SLACK_APP_TOKEN');
  if (!appToken || !/^xapp-[\w-]+$/.test(appToken)) problems.push(problemFor(VARS.SLACK_APP_TOKEN, appToken));
  const channel = read.string('SLACK_CHANNEL') ?? file.channel;
  if (!channel || !/^[CG][A-Z0-9]{5,}$/.test(channel)) problems.push(problemFor(VARS.SLACK_CHANNEL, channel));

  const approverIds = read.list('APPROVERS') ?? file.approvers ?? [];
  const badApprovers = approverIds.filter((id) => !/^[UWS][A-Z0-9]{5,}$/.test(id));
  if (approverIds.length === 0 || badApprovers.length > 0) {
    problems.push(problemFor(VARS.APPROVERS, badApprovers.join(',') || undefined));
  }

  const s3Bucket = read.string('S3_BUCKET');
  const judgeUrl = read.url('SQS_JUDGE_QUEUE_URL');
  const codegenUrl = read.url('SQS_CODEGEN_QUEUE_URL');
  const runUrl = read.url('SQS_RUN_QUEUE_URL');
  const anyQueue = judgeUrl ?? codegenUrl ?? runUrl;
  if (anyQueue && !(judgeUrl && codegenUrl && runUrl)) {
    problems.push(
      'SQS_JUDGE_QUEUE_URL, SQS_CODEGEN_QUEUE_URL and SQS_RUN_QUEUE_URL must be set together: get them from the ' +
        'stack outputs of infra/ (or leave all three unset for the embedded queue).',
    );
  }
  // Not part of the "set together" rule: a stack deployed before issue 13 has no evolve queue, and its bot must
  // keep starting with the three URLs it has. Without it only Evolve is unavailable (and says so). Alone, though,
  // it would put searches on SQS while everything else is embedded: refused.
  const evolveUrl = read.url('SQS_EVOLVE_QUEUE_URL');
  if (evolveUrl && !anyQueue) {
    problems.push(
      'SQS_EVOLVE_QUEUE_URL needs SQS_JUDGE_QUEUE_URL, SQS_CODEGEN_QUEUE_URL and SQS_RUN_QUEUE_URL: set all four ' +
        'from the stack outputs of infra/, or unset it for the embedded queue.',
    );
  }
  const opensearchUrl = read.url('OPENSEARCH_URL');
  const opensearchAuth = read.oneOf('OPENSEARCH_AUTH', ['sigv4', 'basic', 'none'] as const, 'sigv4');
  if (
    opensearchUrl &&
    opensearchAuth === 'basic' &&
    !(read.string('OPENSEARCH_USERNAME') && read.string('OPENSEARCH_PASSWORD'))
  ) {
    problems.push(
      'OPENSEARCH_AUTH=basic needs OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD: the user of your self-managed cluster.',
    );
  }

  const instanceIds = read.list('TRAINIUM_INSTANCE_IDS') ?? [];
  const badInstances = instanceIds.filter((id) => !/^i-[0-9a-f]{8,17}$/.test(id));
  if (badInstances.length) {
    problems.push(
      `TRAINIUM_INSTANCE_IDS is not valid (${badInstances.join(', ')}): expected comma-separated EC2 instance ids such as i-0123456789abcdef0; see the stack outputs or the EC2 console.`,
    );
  }
  const filePools = file.compute?.pools ?? [];
  if (filePools.length > 0 && instanceIds.length > 0) {
    problems.push(
      'TRAINIUM_INSTANCE_IDS and compute.pools (SHERPA_CONFIG) are both set: TRAINIUM_INSTANCE_IDS is the shortcut ' +
        'for one fixed trn1 pool; list those ids as a `fixed` pool in compute.pools instead.',
    );
  }
  const computeDefault = instanceIds.length > 0 || filePools.length > 0 ? 'ec2' : 'none';
  const computeKind = read.oneOf('COMPUTE', ['none', 'local', 'ec2'] as const, computeDefault);
  if (computeKind === 'ec2' && instanceIds.length === 0 && filePools.length === 0) {
    problems.push(
      'COMPUTE=ec2 needs TRAINIUM_INSTANCE_IDS (the trn1 instance ids from the stack outputs) or compute.pools in SHERPA_CONFIG.',
    );
  }
  const idleStopMinutes = read.number('INSTANCE_IDLE_STOP_MINUTES', 15, { min: 1, int: true });
  const hourlyPriceUsd = read.number(
    'INSTANCE_HOURLY_PRICE_USD',
    file.prices?.instanceHourlyUsd ?? DEFAULT_INSTANCE_HOURLY_USD,
    { min: 0 },
  );
  const pools: ComputePool[] =
    computeKind !== 'ec2'
      ? []
      : filePools.length > 0
        ? resolvePools(filePools, { idleMinutes: idleStopMinutes }, problems)
        : [shortcutPool(instanceIds, hourlyPriceUsd, idleStopMinutes)];
  const runnerRoleId = read.string('TRAINIUM_RUNNER_ROLE_ID');
  if (computeKind === 'ec2' && !(runnerRoleId && /^[A-Z0-9]{16,128}$/.test(runnerRoleId))) {
    problems.push(
      `TRAINIUM_RUNNER_ROLE_ID ${runnerRoleId ? 'is not valid' : 'is missing'}: COMPUTE=ec2 needs the runner role's id ` +
        '(AROA…, the RunnerRoleId stack output), because the runner may only read jobs/<role id>:<instance id>/ in S3.',
    );
  }
  if (computeKind === 'ec2' && !s3Bucket) {
    problems.push(
      'COMPUTE=ec2 needs S3_BUCKET: the runner on the instance fetches its job from S3 (see infra/).',
    );
  }

  const timezone = read.string('TIMEZONE') ?? file.timezone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    problems.push(
      `TIMEZONE is not valid ("${timezone}"): expected an IANA time zone such as Europe/Berlin or UTC.`,
    );
  }

  const digestSchedule = read.string('DIGEST_SCHEDULE') ?? file.digest?.schedule ?? '0 9 * * *';
  if (!isValidCron(digestSchedule)) {
    problems.push(
      `DIGEST_SCHEDULE is not valid ("${digestSchedule}"): expected a cron expression (minute hour day month weekday) such as "0 9 * * 1-5", read in TIMEZONE.`,
    );
  }

  const profileParse = ResearchProfileSchema.safeParse(file.profile ?? {});
  const profile = profileParse.success ? profileParse.data : ResearchProfileSchema.parse({});

  const judgeModelId = read.string('BEDROCK_JUDGE_MODEL_ID') ?? DEFAULT_JUDGE_MODEL_ID;
  const codegenModelId = read.string('BEDROCK_CODEGEN_MODEL_ID') ?? DEFAULT_CODEGEN_MODEL_ID;

  const config: Config = {
    slack: {
      botToken: botToken ?? '',
      appToken: appToken ?? '',
      apiUrl: read.url('SLACK_API_URL'),
      channel: channel ?? '',
      approvers: {
        users: approverIds.filter((id) => !id.startsWith('S')),
        groups: approverIds.filter((id) => id.startsWith('S')),
      },
      clientPingTimeoutMs: read.number('SLACK_CLIENT_PING_TIMEOUT_MS', 20_000, { min: 1000, int: true }),
      serverPingTimeoutMs: read.number('SLACK_SERVER_PING_TIMEOUT_MS', 60_000, { min: 1000, int: true }),
      watchdogSeconds: read.number('SLACK_WATCHDOG_SECONDS', 120, { min: 1, int: true }),
    },
    dataDir: read.string('DATA_DIR') ?? './data',
    logLevel: read.oneOf(
      'LOG_LEVEL',
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const,
      'info',
    ),
    logFormat: read.oneOf(
      'LOG_FORMAT',
      ['json', 'pretty'] as const,
      env.NODE_ENV === 'production' ? 'json' : 'pretty',
    ),
    timezone,
    aws: { region: read.string('AWS_REGION') ?? read.string('AWS_DEFAULT_REGION') ?? 'us-east-1' },
    storage: {
      blob: s3Bucket
        ? { kind: 's3', bucket: s3Bucket, prefix: read.string('S3_PREFIX') ?? '' }
        : { kind: 'file' },
      queue:
        judgeUrl && codegenUrl && runUrl
          ? { kind: 'sqs', judgeUrl, codegenUrl, runUrl, ...(evolveUrl ? { evolveUrl } : {}) }
          : { kind: 'sqlite' },
      index: opensearchUrl
        ? {
            kind: 'opensearch',
            url: opensearchUrl,
            auth: opensearchAuth,
            service: read.oneOf('OPENSEARCH_SERVICE', ['es', 'aoss'] as const, 'es'),
            username: read.string('OPENSEARCH_USERNAME'),
            password: read.string('OPENSEARCH_PASSWORD'),
            indexPrefix: read.string('OPENSEARCH_INDEX_PREFIX') ?? 'sherpa',
          }
        : { kind: 'sqlite' },
    },
    sources: {
      openreview: {
        apiUrl: read.url('OPENREVIEW_API_URL', 'https://api2.openreview.net') as string,
        webUrl: read.url('OPENREVIEW_WEB_URL', 'https://openreview.net') as string,
        username: read.string('OPENREVIEW_USERNAME'),
        password: read.string('OPENREVIEW_PASSWORD'),
      },
      arxiv: {
        apiUrl: read.url('ARXIV_API_URL', 'https://export.arxiv.org/api/query') as string,
        pdfUrl: read.url('ARXIV_PDF_URL', 'https://arxiv.org') as string,
        categories: read.list('ARXIV_CATEGORIES') ??
          file.arxiv?.categories ?? ['cs.LG', 'cs.CL', 'cs.AI', 'stat.ML'],
        query: file.arxiv?.query,
        pageSize: read.number('ARXIV_PAGE_SIZE', file.arxiv?.pageSize ?? 500, {
          min: 1,
          max: 2000,
          int: true,
        }),
        // arXiv's terms: one request every three seconds on one connection.
        minIntervalMs: 3000,
      },
      mlsys: { proceedingsUrl: read.url('MLSYS_PROCEEDINGS_URL', 'https://proceedings.mlsys.org') as string },
      schedules: file.schedules ?? [{ source: 'arxiv', cron: read.string('ARXIV_SCHEDULE') ?? '0 6 * * *' }],
    },
    bedrock: {
      judgeModelId,
      codegenModelId,
      maxConcurrency: read.number('BEDROCK_MAX_CONCURRENCY', 4, { min: 1, max: 64, int: true }),
      prices: { ...DEFAULT_MODEL_PRICES, ...(file.prices?.models ?? {}) },
    },
    profile,
    threads: { maxPerDay: read.number('MAX_THREADS_PER_DAY', 10, { min: 0, int: true }) },
    codegen: {
      maxFixRounds: read.number('MAX_FIX_ROUNDS', 3, { min: 0, max: 10, int: true }),
      runBudgetMinutes: read.number('RUN_BUDGET_MINUTES', file.codegen?.runBudgetMinutes ?? 10, {
        min: 1,
        int: true,
      }),
      allowedDatasetHosts: file.codegen?.allowedDatasetHosts ?? [],
    },
    compute: {
      kind: computeKind,
      instanceIds:
        filePools.length > 0
          ? pools.flatMap((pool) => (pool.mode === 'fixed' ? pool.instanceIds : []))
          : instanceIds,
      runnerRoleId,
      idleStopMinutes,
      hourlyPriceUsd,
      runTimeoutMinutes: read.number('RUN_TIMEOUT_MINUTES', 30, { min: 1, int: true }),
      localBackend: read.oneOf('RUNNER_BACKEND', ['neuron', 'cuda', 'cpu'] as const, 'cpu'),
      pools,
      maxResumes: read.number('MAX_RESUMES', 2, { min: 0, max: 20, int: true }),
      checkpointSyncMinutes: read.number('CHECKPOINT_SYNC_MINUTES', 10, { min: 1, max: 1440, int: true }),
    },
    digest: {
      schedule: digestSchedule,
      quietDay: read.oneOf(
        'DIGEST_QUIET_DAY',
        ['one-line', 'skip'] as const,
        file.digest?.quietDay ?? 'one-line',
      ),
    },
    budget: { dailyUsd: read.number('DAILY_BUDGET_USD', 25, { min: 0 }) },
    evolve: {
      maxSearches: read.number('EVOLVE_MAX_SEARCHES', 2, { min: 1, max: 16, int: true }),
      visibilitySeconds: read.number('EVOLVE_VISIBILITY_SECONDS', 60, { min: 5, max: 900, int: true }),
    },
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
