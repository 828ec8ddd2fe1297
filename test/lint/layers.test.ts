import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The layer rules of eslint.layers.js (issue 11, item 5), run through ESLint's Node API with the project's own
 * eslint.config.js, so what passes here is what `npm run lint` enforces in CI. Each case lints a virtual file
 * placed in a layer's folder (it need not exist; the files it imports do) and names the rule that must fire.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return (result?.messages ?? []).map((message) => `${message.ruleId ?? 'fatal'}: ${message.message}`);
}

const LAYERS = 'boundaries/dependencies';
const PACKAGES = 'no-restricted-imports';

describe('layer rules', () => {
  it.each([
    [
      'the domain importing a port',
      'src/domain/layer-probe.ts',
      "import type { Clock } from '../ports/clock.js';\nexport type T = Clock;\n",
      LAYERS,
    ],
    [
      'the domain importing a support helper',
      'src/domain/layer-probe.ts',
      "import type { Logger } from '../logging/logger.js';\nexport type T = Logger;\n",
      LAYERS,
    ],
    [
      'a port importing an adapter',
      'src/ports/layer-probe.ts',
      "import type { SqlitePaperStore } from '../adapters/embedded/index.js';\nexport type T = SqlitePaperStore;\n",
      LAYERS,
    ],
    [
      'a port importing a stage',
      'src/ports/layer-probe.ts',
      "import type { RunRequest } from '../runs/request-run.js';\nexport type T = RunRequest;\n",
      LAYERS,
    ],
    [
      'an adapter importing a stage',
      'src/adapters/ec2-ssm/layer-probe.ts',
      "import { writeRunnerJob } from '../../runs/write-job.js';\nexport const f = writeRunnerJob;\n",
      LAYERS,
    ],
    [
      'an adapter importing another adapter',
      'src/adapters/sqs/layer-probe.ts',
      "import { FileBlobStore } from '../embedded/index.js';\nexport const f = FileBlobStore;\n",
      LAYERS,
    ],
    [
      'a stage importing an adapter',
      'src/judge/layer-probe.ts',
      "import { createCronScheduler } from '../adapters/node-cron/index.js';\nexport const f = createCronScheduler;\n",
      LAYERS,
    ],
    [
      'a stage importing a composition root',
      'src/ingest/layer-probe.ts',
      "import { createSourceFactory } from '../compose/create-paper-sources.js';\nexport const f = createSourceFactory;\n",
      LAYERS,
    ],
    [
      'a job importing an adapter',
      'jobs/layer-probe.ts',
      "import { createCronScheduler } from '../src/adapters/node-cron/index.js';\nexport const f = createCronScheduler;\n",
      LAYERS,
    ],
    [
      'a stage importing @slack/bolt',
      'src/judge/layer-probe.ts',
      "import { webApi } from '@slack/bolt';\nexport const f = webApi;\n",
      PACKAGES,
    ],
    [
      'an adapter other than Slack importing @slack/web-api',
      'src/adapters/sqs/layer-probe.ts',
      "import type { WebClient } from '@slack/web-api';\nexport type T = WebClient;\n",
      PACKAGES,
    ],
    [
      'a stage importing an AWS SDK client',
      'src/runs/layer-probe.ts',
      "import { S3Client } from '@aws-sdk/client-s3';\nexport const f = S3Client;\n",
      PACKAGES,
    ],
    [
      'the composition root importing better-sqlite3 itself',
      'src/compose/layer-probe.ts',
      "import Database from 'better-sqlite3';\nexport const f = Database;\n",
      PACKAGES,
    ],
    [
      'a file in a folder no layer names',
      'src/unsorted/layer-probe.ts',
      'export const f = 1;\n',
      'boundaries/no-unknown-files',
    ],
  ])('reports %s', async (_what, filePath, code, rule) => {
    const found = await problems(filePath, code);
    expect(found.filter((problem) => problem.startsWith(`${rule}:`))).toHaveLength(1);
  });

  it.each([
    [
      'a stage importing ports, the domain, CoreDeps, a support helper and another stage',
      'src/judge/layer-probe.ts',
      [
        "import type { Clock } from '../ports/clock.js';",
        "import type { Paper } from '../domain/paper.js';",
        "import type { CoreDeps } from '../deps.js';",
        "import type { Logger } from '../logging/logger.js';",
        "import { rawKeyFor } from '../ingest/raw-key.js';",
        'export type T = [Clock, Paper, CoreDeps, Logger];',
        'export const f = rawKeyFor;',
      ].join('\n') + '\n',
    ],
    [
      'an adapter importing its own folder, ports, the domain, the runner files and the AWS helpers',
      'src/adapters/ec2-ssm/layer-probe.ts',
      [
        "import type { Compute } from '../../ports/compute.js';",
        "import type { RunnerProgress } from '../../domain/runner-contract.js';",
        "import { readProgress } from '../../runner/read-run-files.js';",
        "import { awsErrorName } from '../aws-errors.js';",
        "import { findRunCommand } from './find-run-command.js';",
        'export type T = [Compute, RunnerProgress];',
        'export const f = [readProgress, awsErrorName, findRunCommand];',
      ].join('\n') + '\n',
    ],
    [
      'a listener importing @slack/bolt and a stage',
      'handlers/actions/layer-probe.ts',
      [
        "import type { App } from '@slack/bolt';",
        "import { scrapesFor } from '../../src/ingest/scrapes-for.js';",
        'export type T = App;',
        'export const f = scrapesFor;',
      ].join('\n') + '\n',
    ],
    [
      'an adapter importing its service SDK',
      'src/adapters/sqs/layer-probe.ts',
      "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const f = SQSClient;\n",
    ],
    [
      'the composition root importing adapters',
      'src/compose/layer-probe.ts',
      [
        "import { createCronScheduler } from '../adapters/node-cron/index.js';",
        "import { FileBlobStore } from '../adapters/embedded/index.js';",
        'export const f = [createCronScheduler, FileBlobStore];',
      ].join('\n') + '\n',
    ],
  ])('accepts %s', async (_what, filePath, code) => {
    expect(await problems(filePath, code)).toEqual([]);
  });
});
