import { describe, expect, it } from 'vitest';
import type { RunnerResult } from '../../src/domain/runner-contract.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { runHeldMessage } from '../../src/messages/run-held.js';
import { runProgressMessage, type RunStage } from '../../src/messages/run-progress.js';
import {
  lossCurveFile,
  runResultMessage,
  runResultPlainMessage,
  type RunResultView,
} from '../../src/messages/run-result.js';
import { overBudgetNote } from '../../src/messages/budget-held.js';
import { formatBytes, formatDuration, formatMetric, formatPercent } from '../../src/messages/format-units.js';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';
import { hasLiveHostileMarkup } from '../support/mrkdwn-texts.js';

const HASH = '3f5a9c0e1b2d4f6a8c0e1b2d4f6a8c0e1b2d4f6a8c0e1b2d4f6a8c0e1b2d4f6a';
const PAPER = 'p_1a2b3c4d5e6f';
const RUN = 'r_1a2b3c4d_mi3x0k2a1b2c';

/** The real trn1 summary (test/fixtures/neuron), normalised the way the runner reports it: fractions → percent. */
const NEURON_PROFILE: Extract<RunnerResult['profile'], { kind: 'neuron' }> = {
  kind: 'neuron',
  summary: {
    totalTimeSeconds: 0.213808050051,
    vectorEnginePercent: 0.9645396092701302 * 100,
    tensorEnginePercent: 2.2616407562047187e-6 * 100,
    scalarEnginePercent: 3.673315592245759,
    gpsimdEnginePercent: 1.0491756505262174e-4 * 100,
    hbmReadBytes: 6582249472,
    hbmWriteBytes: 1835008,
    dmaActivePercent: 0.26416618715491547 * 100,
    raw: {},
  },
};

const COST = {
  instanceSeconds: 412,
  instanceUsd: (412 / 3600) * 1.34375,
  hourlyPriceUsd: 1.34375,
  tokenUsd: 0.2113,
  inputTokens: 48_200,
  outputTokens: 9_870,
};

function succeeded(overrides: Partial<RunResultView> = {}): RunResultView {
  return {
    paperId: PAPER,
    runId: RUN,
    codeHash: HASH,
    status: 'succeeded',
    durationSeconds: 252.4,
    backend: 'neuron',
    metrics: {
      loss: { first: 2.2905, last: 1.5449, best: 1.5449, goal: 'min', points: 5 },
      test_accuracy: { first: 46.06, last: 46.06, best: 46.06, goal: 'max', points: 1 },
    },
    profile: NEURON_PROFILE,
    cost: COST,
    artifacts: [
      {
        name: 'result.json',
        uri: `s3://sherpa-bucket/runs/${RUN}/result/result.json`,
        url: `https://us-east-1.console.aws.amazon.com/s3/object/sherpa-bucket?region=us-east-1&prefix=runs%2F${RUN}%2Fresult%2Fresult.json`,
      },
      { name: 'stdout.log', uri: `s3://sherpa-bucket/runs/${RUN}/result/stdout.log` },
    ],
    fixRoundsLeft: 3,
    ...overrides,
  };
}

describe('runProgressMessage', () => {
  const stages: RunStage[] = [
    { stage: 'queued', position: 2 },
    { stage: 'starting_instance', instanceId: 'i-0123456789abcdef0', detail: 'starting the instance' },
    { stage: 'capacity_retry', instanceId: 'i-0123456789abcdef0', attempt: 2, retryInSeconds: 60 },
    { stage: 'waiting_for_agent', instanceId: 'i-0123456789abcdef0', elapsedSeconds: 95 },
    {
      stage: 'running',
      instanceId: 'i-0123456789abcdef0',
      elapsedSeconds: 200,
      lastLogLine: 'METRICS: {"step": 40, "loss": 1.23} <b>`x`</b>',
      phase: 'running',
    },
    { stage: 'finished', status: 'failed', durationSeconds: 61 },
  ];

  it.each(stages.map((stage) => [stage.stage, stage] as const))('shows %s', (_name, stage) => {
    const message = runProgressMessage({ runId: RUN, codeHash: HASH, requestedBy: 'U0APPROVER1', stage });
    expectWithinBlockKitLimits(message.blocks);
    expect(message).toMatchSnapshot();
  });

  it('escapes the log line and marks the current step', () => {
    const message = runProgressMessage({
      runId: RUN,
      codeHash: HASH,
      requestedBy: 'U1',
      stage: stages[4] as RunStage,
    });
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('&lt;b&gt;');
    expect(text).toContain("'x'");
    expect(text).toContain('✅ waiting for SSM  →  ⏳ *running*');
  });
});

describe('runResultMessage', () => {
  it('shows a successful run: metrics table, Neuron profile, cost and artifacts', () => {
    const message = runResultMessage(succeeded());
    expectWithinBlockKitLimits(message.blocks);
    expect(message).toMatchSnapshot();
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('Vector engine*\\n96.5 %');
    expect(text).toContain('HBM read*\\n6.13 GiB');
    expect(text).toContain('Total time*\\n213.8 ms');
    expect(text).toContain('instance 6 min 52 s × $1.34/h = $0.15');
  });

  it('shows a failed run with its class, log lines and the fix and re-run buttons', () => {
    const message = runResultMessage(
      succeeded({
        status: 'failed',
        metrics: {},
        profile: { kind: 'none', reason: 'the run failed before the profiler could run' },
        failure: {
          class: 'compiler_error',
          code: 'NCC_EUOC002',
          message: 'neuronx-cc rejected the graph: unsupported operator aten::_fft_r2c',
          logLines: Array.from(
            { length: 30 },
            (_unused, i) => `ERROR 12345 [neuronx-cc]: line ${i} ${'x'.repeat(80)}`,
          ),
        },
      }),
    );
    expectWithinBlockKitLimits(message.blocks);
    expect(message).toMatchSnapshot();
    const actions = message.blocks.at(-1) as { elements: { action_id: string; value: string }[] };
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([
      [ACTION_IDS.fixRun, `${PAPER}:${RUN}`],
      [ACTION_IDS.rerun, `${PAPER}:${HASH}`],
    ]);
  });

  it('offers no fix once the rounds are used up, and keeps long logs inside a section', () => {
    const message = runResultMessage(
      succeeded({
        status: 'failed',
        failure: {
          class: 'timeout',
          message: 'killed after 30 min',
          logLines: Array(200).fill('y'.repeat(290)),
        },
        fixRoundsLeft: 0,
      }),
    );
    expectWithinBlockKitLimits(message.blocks);
    const ids = JSON.stringify(message.blocks);
    expect(ids).not.toContain(ACTION_IDS.fixRun);
    expect(ids).toContain('No fix rounds left');
  });

  it('shows torch.profiler operators for a GPU run', () => {
    const message = runResultMessage(
      succeeded({
        backend: 'cuda',
        profile: {
          kind: 'torch',
          summary: {
            device: 'NVIDIA H100 80GB HBM3',
            topOperators: [
              { name: 'aten::mm', selfTimeMs: 812.4, totalTimeMs: 812.4, calls: 1200 },
              {
                name: 'aten::scaled_dot_product_attention',
                selfTimeMs: 301.2,
                totalTimeMs: 350.9,
                calls: 300,
              },
            ],
          },
        },
      }),
    );
    expectWithinBlockKitLimits(message.blocks);
    expect(message).toMatchSnapshot();
  });
});

describe('runHeldMessage', () => {
  it('explains the sums and offers an override with a confirm dialog', () => {
    const message = runHeldMessage({
      paperId: PAPER,
      codeHash: HASH,
      requestedBy: 'U0APPROVER1',
      spentTodayUsd: 24.1,
      estimateUsd: 0.34,
      limitUsd: 25,
    });
    expectWithinBlockKitLimits(message.blocks);
    expect(message).toMatchSnapshot();
  });
});

describe('units', () => {
  it('reads like a person would write it', () => {
    expect([formatDuration(42), formatDuration(252.4), formatDuration(3600), formatDuration(3720)]).toEqual([
      '42 s',
      '4 min 12 s',
      '1 h',
      '1 h 2 min',
    ]);
    expect([formatBytes(512), formatBytes(1835008), formatBytes(6582249472)]).toEqual([
      '512 B',
      '1.75 MiB',
      '6.13 GiB',
    ]);
    expect([formatPercent(96.45396), formatPercent(0.000226), formatPercent(0)]).toEqual([
      '96.5 %',
      '0.0002 %',
      '0 %',
    ]);
    expect([formatMetric(1.54490001), formatMetric(0.000012), formatMetric(46.06)]).toEqual([
      '1.545',
      '1.200e-5',
      '46.06',
    ]);
  });
});

/** Issue 10, found item 10: what the run prints or names is hostile text, in `text` and in blocks alike. */
describe('run messages with hostile text from the run', () => {
  const EVIL = '<!channel> <https://evil.example|click>';

  it('escapes log lines, failure details, operator names and the phase', () => {
    const failed = runResultMessage(
      succeeded({
        status: 'failed',
        failure: {
          class: 'nonzero_exit',
          code: EVIL,
          message: EVIL,
          logLines: [`Traceback: ${EVIL}`, EVIL],
        },
        profile: {
          kind: 'torch',
          summary: { topOperators: [{ name: EVIL, selfTimeMs: 1, totalTimeMs: 1, calls: 1 }] },
        },
      }),
    );
    const progress = runProgressMessage({
      runId: RUN,
      codeHash: HASH,
      requestedBy: 'U1',
      stage: { stage: 'running', instanceId: 'i-1', elapsedSeconds: 5, phase: EVIL, lastLogLine: EVIL },
    });
    for (const message of [failed, progress]) {
      expect(hasLiveHostileMarkup(message)).toBe(false);
      expect(JSON.stringify(message)).toContain('&lt;!channel&gt;');
    }
    // The check itself: the same text unescaped is found.
    expect(hasLiveHostileMarkup({ text: EVIL })).toBe(true);
    expect(
      hasLiveHostileMarkup({ blocks: [{ type: 'section', text: { type: 'mrkdwn', text: EVIL } }] }),
    ).toBe(true);
  });
});

describe('run messages when Slack refuses the full result', () => {
  it('says the outcome in one line and where the details are (snapshot)', () => {
    expect(runResultPlainMessage({ runId: 'r_20261123_0001', status: 'succeeded' })).toMatchSnapshot();
    expect(
      runResultPlainMessage({ runId: 'r_20261123_0002', status: 'failed', failure: { class: 'timeout' } }),
    ).toMatchSnapshot();
    expect(runResultPlainMessage({ runId: 'r_20261123_0003', status: 'failed' }).text).toContain('(unknown)');
  });

  it('names the loss curve after its run, with alt text for screen readers', () => {
    expect(lossCurveFile('r_20261123_0001', 'Training loss')).toEqual({
      filename: 'loss-r_20261123_0001.png',
      title: 'Training loss',
      altText: 'Training loss for run r_20261123_0001',
    });
  });

  it('writes the sums of a budget hold into its audit note', () => {
    expect(overBudgetNote({ spentTodayUsd: 9.5, estimateUsd: 0.671, limitUsd: 10 })).toBe(
      'over budget: $9.50 spent today + ≈$0.67 > $10.00',
    );
  });
});
