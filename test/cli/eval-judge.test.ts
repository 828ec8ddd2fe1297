import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evalJudge } from '../../src/cli/eval-judge.js';
import { ResearchProfileSchema } from '../../src/config/config-file.js';
import { titleKey } from '../../src/domain/identifiers.js';
import { compileProfile, prefilterScore } from '../../src/judge/index.js';
import { readAbstractsFile, readLabeledSet } from '../../src/judge/evaluation/index.js';
import { accessDenied, startFakeBedrock, toolUse, type FakeBedrock } from '../support/fake-bedrock.js';
import { useFakeBedrockEnv } from '../support/fake-bedrock-llm.js';
import { judgedPapersIn } from '../support/fake-judge-replies.js';
import { LABELED_VERDICTS_CSV } from '../support/judge-fixtures.js';

const LABELED = readLabeledSet(LABELED_VERDICTS_CSV, 'judge-verdicts-50.csv');
const ABSTRACTS = readAbstractsFile(
  readFileSync(new URL('../../eval/judge-abstracts.json', import.meta.url), 'utf8'),
  'judge-abstracts.json',
);
const LABEL_BY_TITLE = new Map(LABELED.map((p) => [titleKey(p.title), p.label]));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) }, out, err };
}

/** No credentials anywhere the default chain looks, and no instance-metadata probe. */
function withoutCredentials(): void {
  for (const name of Object.keys(process.env)) {
    if (
      /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|CONTAINER_|WEB_IDENTITY|ROLE_ARN)/.test(
        name,
      )
    ) {
      delete process.env[name];
    }
  }
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
}

describe('npm run eval:judge', () => {
  let fake: FakeBedrock;
  const saved = { ...process.env };
  beforeEach(async () => {
    fake = await startFakeBedrock();
    process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'sherpa-eval-'));
  });
  afterEach(async () => {
    process.env = { ...saved };
    await fake.close();
  });

  it('reads the shipped labeled set: 50 verdicts, 16 accept and 34 reject', () => {
    expect(LABELED).toHaveLength(50);
    expect(LABELED.filter((p) => p.label === 'accept')).toHaveLength(16);
    expect(LABELED.filter((p) => ABSTRACTS.has(titleKey(p.title)))).toHaveLength(6);
  });

  it('exits non-zero with a clear message and calls nothing when there are no AWS credentials', async () => {
    withoutCredentials();
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = fake.url;
    const { io, out, err } = capture();
    const code = await evalJudge([], process.env, io);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(/needs AWS credentials/);
    expect(err.join('\n')).toContain('us.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(err.join('\n')).toMatch(/AWS_PROFILE|AWS_ACCESS_KEY_ID/);
    expect(fake.requests).toHaveLength(0);
  });

  it('names the model and how to enable it when Bedrock denies access', async () => {
    useFakeBedrockEnv(fake);
    fake.respondWith(() => accessDenied());
    const { io, err } = capture();
    const code = await evalJudge(['--limit', '10'], process.env, io);
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('us.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(err.join('\n')).toMatch(/Model access/);
  });

  it('judges the labeled set and reports agreement, tokens and cost', async () => {
    useFakeBedrockEnv(fake);
    // A judge that agrees with every label it is asked about: disagreements can only come from the pre-filter.
    fake.respondWith((request) =>
      toolUse(
        {
          verdicts: judgedPapersIn(request).map(({ key, title }) => {
            const accept = LABEL_BY_TITLE.get(titleKey(title)) === 'accept';
            return {
              paper: key,
              rationale: accept ? 'Fits the profile.' : 'Outside the profile.',
              relevance: accept ? 9 : 2,
              novelty: 7,
              trainium: 'yes',
              ...(accept ? { smallestExperiment: 'A small run.' } : {}),
            };
          }),
        },
        { inputTokens: 3000, outputTokens: 800, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
      ),
    );
    const jsonPath = join(process.env.DATA_DIR!, 'eval.json');
    const { io, out } = capture();

    const code = await evalJudge(['--json', jsonPath], process.env, io);

    expect(code).toBe(0);
    const profile = compileProfile(ResearchProfileSchema.parse({}));
    // Only papers with an abstract can be pre-filtered; the rest go to the judge on their titles.
    const filtered = LABELED.filter((p) => {
      const abstract = ABSTRACTS.get(titleKey(p.title));
      return abstract !== undefined && prefilterScore({ title: p.title, abstract }, profile).score < 0.05;
    });
    const filteredAccepts = filtered.filter((p) => p.label === 'accept').length;
    const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
    expect(report.summary.decided).toBe(50);
    expect(report.summary.prefiltered.papers).toBe(filtered.length);
    expect(report.summary.matrix).toEqual({
      acceptAccept: 16 - filteredAccepts,
      acceptReject: 0,
      rejectAccept: filteredAccepts,
      rejectReject: 34,
    });
    expect(report.summary.agreement).toBeCloseTo((50 - filteredAccepts) / 50, 10);
    expect(report.papers.filter((p: { abstractSource: string }) => p.abstractSource === 'file')).toHaveLength(
      6,
    );
    // Every answered call was 3,000 in and 800 out at Haiku 4.5 prices ($1 / $5 per million).
    const calls = fake.requests.filter((r) => r.reply?.kind === 'tool').length;
    expect(report.usage.calls).toBe(calls);
    expect(report.usage.inputTokens).toBe(3000 * calls);
    expect(report.usage.outputTokens).toBe(800 * calls);
    expect(report.usage.usd).toBeCloseTo((calls * (3000 + 800 * 5)) / 1e6, 10);
    const text = out.join('\n');
    expect(text).toMatch(/Agreement +\d+ % of 50 decided/);
    expect(text).toContain(`Cost             $${report.usage.usd.toFixed(4)}`);
    expect(text).toContain(
      `Pre-filter       ${filtered.length} filtered without a call (${filteredAccepts} labeled accept)`,
    );
    expect(text.includes('Disagreements:')).toBe(filteredAccepts > 0);
  });
});
