import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { buildChecks } from '../../src/doctor/build-checks.js';
import { failed, passed, skipped } from '../../src/doctor/check.js';
import { formatReport } from '../../src/doctor/format-report.js';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import { startFakeBedrock, type FakeBedrock } from '../support/fake-bedrock.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../support/fake-opensearch.js';
import { startFakeS3, type FakeS3 } from '../support/fake-s3.js';
import { startFakeSqs, type FakeSqs } from '../support/fake-sqs.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';
import { tempDataDir } from '../embedded/temp-data-dir.js';

describe('doctor report', () => {
  it('is all well only when nothing failed; skipped services do not count', async () => {
    const ok = { name: 'a', run: async () => [passed('a', 'x', 'fine')] };
    const skip = { name: 'b', run: async () => [skipped('b', '-', 'not configured')] };
    const bad = {
      name: 'c',
      run: async () => [failed('c', 'y', 'missing permission s3:PutObject on arn:aws:s3:::b/k', 'Allow it')],
    };
    expect((await runDoctor([ok, skip])).allWell).toBe(true);
    const report = await runDoctor([ok, skip, bad]);
    expect(report.allWell).toBe(false);
    const text = formatReport(report);
    expect(text).toMatch(/^STATUS\s+CHECK\s+TARGET\s+DETAIL/);
    expect(text).toContain('FAIL    c      y       missing permission s3:PutObject on arn:aws:s3:::b/k');
    expect(text).toContain('To fix:\n  - c y: Allow it');
    expect(text).toMatch(/1 of 3 checks failed\.$/);
  });

  it('turns a hanging or throwing check into a failure row', async () => {
    const hang = { name: 'slow', run: () => new Promise<never>(() => {}) };
    const boom = {
      name: 'boom',
      run: async () => {
        throw new Error('kaput');
      },
    };
    const report = await runDoctor([hang, boom], 50);
    expect(report.results.map((r) => [r.check, r.status, r.detail])).toEqual([
      ['slow', 'fail', 'no answer within 0 s'],
      ['boom', 'fail', 'kaput'],
    ]);
  });
});

/** The whole doctor, as `npm run doctor` builds it, against loopback fakes of every service: all well, exit 0. */
describe('doctor against a healthy AWS deployment (fakes)', () => {
  let slack: SlackFake;
  let s3: FakeS3;
  let sqs: FakeSqs;
  let search: FakeOpenSearch;
  let bedrock: FakeBedrock;
  const dir = tempDataDir();
  beforeAll(async () => {
    [slack, s3, sqs, search, bedrock] = await Promise.all([
      startSlackFake(),
      startFakeS3(),
      startFakeSqs(),
      startFakeOpenSearch(),
      startFakeBedrock(),
    ]);
    vi.stubEnv('AWS_ENDPOINT_URL_S3', s3.url);
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', sqs.url);
    vi.stubEnv('AWS_ENDPOINT_URL_BEDROCK_RUNTIME', bedrock.url);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAFAKEFAKEFAKEFAKE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'fake-secret');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await Promise.all([slack.close(), s3.close(), sqs.close(), search.close(), bedrock.close()]);
    dir.remove();
  });

  it('passes every check and fails exactly the broken one', async () => {
    s3.model.createBucket('sherpa-data');
    const urls: Record<string, string> = {};
    for (const name of ['judge', 'codegen', 'run']) {
      sqs.model.createQueue(`sherpa-${name}-dlq.fifo`);
      urls[name] = sqs.model.createQueue(`sherpa-${name}.fifo`, {
        deadLetterQueue: `sherpa-${name}-dlq.fifo`,
      });
    }
    bedrock.respondWith(() => ({ kind: 'text', text: 'ok', stopReason: 'max_tokens' }));
    const config = loadConfig({
      SLACK_BOT_TOKEN: slack.identity.botToken,
      SLACK_APP_TOKEN: slack.identity.appToken,
      SLACK_API_URL: slack.apiUrl,
      SLACK_CHANNEL: slack.identity.defaultChannel,
      APPROVERS: 'U0APPROVER1',
      DATA_DIR: join(dir.path, 'data'),
      AWS_REGION: 'us-east-1',
      S3_BUCKET: 'sherpa-data',
      SQS_JUDGE_QUEUE_URL: urls.judge,
      SQS_CODEGEN_QUEUE_URL: urls.codegen,
      SQS_RUN_QUEUE_URL: urls.run,
      OPENSEARCH_URL: search.url,
      OPENSEARCH_AUTH: 'none',
    });
    const healthy = await runDoctor(buildChecks(config));
    expect(healthy.results.filter((r) => r.status === 'fail')).toEqual([]);
    expect(healthy.allWell).toBe(true);
    expect(healthy.results.map((r) => r.check)).toEqual(
      expect.arrayContaining([
        'slack bot token',
        'slack app token',
        'slack channel',
        'bedrock model',
        's3 bucket',
        'sqs queue',
        // Without SQS_EVOLVE_QUEUE_URL (a stack from before issue 13) only Evolve is off: skipped, not failed.
        'sqs evolve queue',
        'opensearch index',
      ]),
    );
    expect(bedrock.requests.map((r) => r.modelId)).toEqual([
      config.bedrock.judgeModelId,
      config.bedrock.codegenModelId,
    ]);

    sqs.model.forbidden.add('GetQueueAttributes sherpa-run.fifo');
    const broken = await runDoctor(buildChecks(config));
    expect(broken.allWell).toBe(false);
    expect(broken.results.filter((r) => r.status === 'fail').map((r) => r.detail)).toEqual([
      'SQS_RUN_QUEUE_URL: missing permission sqs:GetQueueAttributes on arn:aws:sqs:us-east-1:111122223333:sherpa-run.fifo (AccessDenied)',
    ]);
    expect([s3.unmatched, sqs.unmatched, search.unmatched]).toEqual([[], [], []]);
  });
});
