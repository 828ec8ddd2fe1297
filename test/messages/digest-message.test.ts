import { describe, expect, it } from 'vitest';
import type { DigestData, SpendPeriod } from '../../src/messages/digest-data.js';
import {
  CANDIDATE_BLOCK_PREFIX,
  digestMessage,
  isQuiet,
  quietDigestMessage,
  textLength,
} from '../../src/messages/digest-message.js';
import { finishedRuns } from '../../src/digest/finished-runs.js';
import { sourceActivity } from '../../src/digest/source-activity.js';
import { spendPeriod } from '../../src/digest/spend.js';
import { modelLabel } from '../../src/messages/model-label.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';
import { judgedPaper } from '../support/sample-papers.js';
import { HOSTILE } from '../support/hostile-text.js';
import { hasLiveHostileMarkup } from '../support/mrkdwn-texts.js';

const NOTHING: SpendPeriod = { usd: 0, models: [], instances: [] };
const THREAD = { channel: 'C0FAKECHAN1', ts: '1763888400.000100' };

function data(overrides: Partial<DigestData> = {}): DigestData {
  return {
    day: '2026-11-23',
    generatedAt: '2026-11-23T09:00:00.000Z',
    windowStart: '2026-11-22T09:00:00.000Z',
    timeZone: 'UTC',
    sources: [],
    candidates: [],
    candidatesTotal: 0,
    waiting: [],
    finishedRuns: [],
    spend: { today: NOTHING, month: NOTHING, dailyBudgetUsd: 25 },
    instances: { kind: 'none' },
    ...overrides,
  };
}

const text = (value: unknown) => JSON.stringify(value);

describe('sourceActivity', () => {
  it('counts scraped per source and verdicts given inside the window, split into Claude and the pre-filter', () => {
    const window = '2026-11-22T09:00:00.000Z';
    const verdict = judgedPaper(0).verdict!;
    const touched = [
      judgedPaper(0, { state: 'accepted' }),
      judgedPaper(1, { state: 'judge_rejected' }),
      judgedPaper(2, {
        state: 'filtered',
        verdict: { ...verdict, decidedBy: 'prefilter', relevance: undefined, novelty: undefined },
      }),
      // Judged last week, touched today: not counted again.
      judgedPaper(0, {
        id: 'p_old',
        state: 'code_ready',
        verdict: { ...verdict, judgedAt: '2026-11-15T00:00:00Z' },
      }),
      judgedPaper(1, { id: 'p_or', source: 'openreview', state: 'accepted' }),
    ];
    expect(sourceActivity({ arxiv: 40, openreview: 7 }, touched, window)).toEqual([
      { source: 'arxiv', scraped: 40, judged: 2, accepted: 1, filtered: 1 },
      { source: 'openreview', scraped: 7, judged: 1, accepted: 1, filtered: 0 },
    ]);
  });
});

describe('spendPeriod and modelLabel', () => {
  it('splits models (tokens) from instances (seconds), most expensive first', () => {
    const period = spendPeriod({
      usd: 3.5,
      inputTokens: 1_200_000,
      outputTokens: 40_000,
      instanceSeconds: 3600,
      byResource: {
        'us.anthropic.claude-haiku-4-5-20251001-v1:0': {
          usd: 1.4,
          inputTokens: 1_000_000,
          outputTokens: 80_000,
          seconds: 0,
        },
        'us.anthropic.claude-sonnet-4-5-20250929-v1:0': {
          usd: 0.76,
          inputTokens: 200_000,
          outputTokens: 10_000,
          seconds: 0,
        },
        'i-0123456789abcdef0': { usd: 1.34, inputTokens: 0, outputTokens: 0, seconds: 3600 },
      },
    });
    expect(period.models.map((m) => modelLabel(m.resource))).toEqual([
      'claude-haiku-4-5',
      'claude-sonnet-4-5',
    ]);
    expect(period.instances.map((i) => i.resource)).toEqual(['i-0123456789abcdef0']);
  });
});

describe('digestMessage', () => {
  const accepted = [0, 1, 2].map((n) => judgedPaper(n));
  const full = data({
    sources: [
      { source: 'arxiv', scraped: 412, judged: 40, accepted: 9, filtered: 372 },
      { source: 'openreview', scraped: 3, judged: 3, accepted: 1, filtered: 0 },
    ],
    candidates: accepted,
    candidatesTotal: 12,
    waiting: [judgedPaper(0, { state: 'code_ready', thread: THREAD })],
    finishedRuns: [
      {
        paper: { id: 'p_1', title: 'A paper that ran', thread: THREAD },
        run: {
          runId: 'r1',
          codeHash: 'abc',
          status: 'succeeded',
          queuedAt: '2026-11-23T07:00:00Z',
          startedAt: '2026-11-23T07:00:00Z',
          finishedAt: '2026-11-23T07:04:12Z',
          headline: { name: 'loss', value: 1.30412 },
        },
      },
    ],
    spend: {
      today: {
        usd: 2.74,
        models: [
          {
            resource: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
            usd: 1.4,
            inputTokens: 1_000_000,
            outputTokens: 80_000,
            seconds: 0,
          },
        ],
        instances: [
          { resource: 'i-0123456789abcdef0', usd: 1.34, inputTokens: 0, outputTokens: 0, seconds: 3600 },
        ],
      },
      month: { usd: 41.2, models: [], instances: [] },
      dailyBudgetUsd: 25,
    },
    instances: {
      kind: 'ok',
      statuses: [
        {
          instanceId: 'i-0123456789abcdef0',
          state: 'running',
          launchedAt: '2026-11-23T07:00:00Z',
          instanceType: 'trn1.2xlarge',
        },
      ],
    },
  });

  it('shows the whole digest as a reader sees it (snapshot)', () => {
    const message = digestMessage(full, { requestedBy: 'U0ALICE' });
    expect(message).toMatchSnapshot();
    expectWithinBlockKitLimits(message.blocks);
  });

  it('shows titles, source names and instance types from outside as typed', () => {
    const hostile = digestMessage(
      data({
        ...full,
        sources: [{ source: HOSTILE, scraped: 1, judged: 1, accepted: 1, filtered: 0 }],
        candidates: [judgedPaper(0, { title: HOSTILE })],
        candidatesTotal: 1,
        waiting: [judgedPaper(1, { state: 'code_ready', title: HOSTILE, thread: THREAD })],
        instances: {
          kind: 'ok',
          statuses: [{ instanceId: 'i-0123456789abcdef0', state: 'running', instanceType: HOSTILE }],
        },
      }),
    );
    expect(hasLiveHostileMarkup(hostile)).toBe(false);
  });

  it('reports activity, candidates with Open thread, waiting approvals with thread links, runs, spend and instances', () => {
    const message = digestMessage(full);
    const body = text(message.blocks);
    expect(body).toContain('*arXiv*: 412 scraped · 40 judged (9 accepted) · 372 filtered');
    expect(body).toContain('*OpenReview*: 3 scraped');
    const buttons = message.blocks.filter((b) => b.type === 'section' && 'accessory' in b && b.accessory);
    expect(buttons).toHaveLength(3);
    expect(buttons[0]).toMatchObject({
      block_id: `${CANDIDATE_BLOCK_PREFIX}${accepted[0]!.id}`,
      accessory: { action_id: ACTION_IDS.openThread, value: accepted[0]!.id },
    });
    expect(body).toContain('…and 9 more: `/paper search status:accepted`');
    expect(body).toContain('https://slack.com/archives/C0FAKECHAN1/p1763888400000100');
    expect(body).toContain('✅');
    expect(body).toContain('loss 1.304');
    expect(body).toContain('4 min 12 s');
    expect(body).toContain('$2.74 of $25.00 daily budget (11 %)');
    expect(body).toContain('claude-haiku-4-5: 1000k in · 80.0k out · $1.40');
    expect(body).toContain('`i-0123456789abcdef0`: 1.0 h · $1.34');
    expect(body).toContain('*This month*: $41.20');
    expect(body).toContain('running for 2 h');
    expect(message.text).toContain('415 papers scraped');
    expectWithinBlockKitLimits(message.blocks);
  });

  it('stays within 50 blocks and Slack’s text limits however much there is, saying how much was left out', () => {
    const many = Array.from({ length: 60 }, (_, n) =>
      judgedPaper(n % 3, {
        id: `p_${String(n).padStart(12, '0')}`,
        title: `${'Very long title '.repeat(8)}${n}`,
      }),
    );
    const message = digestMessage({
      ...full,
      candidates: many,
      candidatesTotal: 200,
      waiting: many.map((paper) => ({ ...paper, state: 'code_ready' as const, thread: THREAD })),
      sources: Array.from({ length: 40 }, (_, n) => ({
        source: `source-${n}`,
        scraped: n,
        judged: 0,
        accepted: 0,
        filtered: 0,
      })),
    });
    expectWithinBlockKitLimits(message.blocks);
    // Every text counted, fields and buttons included: below Slack's undocumented ~13k (msg_blocks_too_long).
    expect(textLength(message.blocks)).toBeLessThanOrEqual(11_000);
    const body = text(message.blocks);
    expect(body).toMatch(/…and \d+ more: `\/paper search status:accepted`/);
    expect(body).toMatch(/_…and \d+ more_/);
  });

  it('counts every waiting paper in its "and N more", formatting only the lines that fit (issue 14)', () => {
    const waiting = Array.from({ length: 400 }, (_, n) =>
      judgedPaper(n % 3, { id: `p_${String(n).padStart(12, '0')}`, state: 'code_ready', thread: THREAD }),
    );
    const section = digestMessage({ ...full, waiting }).blocks.find(
      (block) => block.type === 'section' && block.text?.text.startsWith('*Waiting for a decision*'),
    );
    const lines = (section?.type === 'section' ? (section.text?.text ?? '') : '').split('\n').slice(1);
    const shown = lines.filter((line) => line.startsWith('• ')).length;
    expect(shown).toBeGreaterThan(0);
    expect(lines.at(-1)).toBe(`_…and ${400 - shown} more_`);
  });

  it('calls a day with nothing to report quiet, and says so in one line', () => {
    expect(isQuiet(data())).toBe(true);
    expect(isQuiet(full)).toBe(false);
    expect(isQuiet(data({ waiting: full.waiting }))).toBe(false);
    expect(isQuiet(data({ instances: full.instances }))).toBe(false);
    const quiet = quietDigestMessage(
      data({ spend: { today: NOTHING, month: { ...NOTHING, usd: 3 }, dailyBudgetUsd: 25 } }),
    );
    expect(quiet.blocks).toHaveLength(1);
    expect(quietDigestMessage(data(), { requestedBy: 'U0ALICE' })).toMatchSnapshot();
    expect(quiet.text).toBe(
      '☀️ Quiet day (2026-11-23): nothing new in the last 24 h, nothing waiting for a decision, no runs finished, $0.00 spent today ($3.00 this month).',
    );
  });
});

describe('finishedRuns', () => {
  it('keeps runs that ended inside the window, newest first', () => {
    const base = { codeHash: 'h', queuedAt: '2026-11-22T00:00:00Z' };
    const paper = judgedPaper(0, {
      state: 'succeeded',
      runs: [
        { ...base, runId: 'old', status: 'failed', finishedAt: '2026-11-21T10:00:00Z' },
        {
          ...base,
          runId: 'a',
          status: 'failed',
          finishedAt: '2026-11-22T10:00:00Z',
          failureClass: 'timeout',
        },
        { ...base, runId: 'b', status: 'succeeded', finishedAt: '2026-11-23T08:00:00Z' },
        { ...base, runId: 'running', status: 'running' },
      ],
    });
    expect(finishedRuns([paper], '2026-11-22T09:00:00Z').map((r) => r.run.runId)).toEqual(['b', 'a']);
  });
});
