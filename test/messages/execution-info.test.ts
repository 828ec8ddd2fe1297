import { describe, expect, it } from 'vitest';
import { RunnerResultSchema, type ExecutionInfo } from '../../src/domain/runner-contract.js';
import { executionLines, executionSummary } from '../../src/messages/execution-info.js';
import { paperStatusMessage } from '../../src/messages/paper-status.js';
import { runResultMessage, type RunResultView } from '../../src/messages/run-result.js';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';
import { judgedPaper } from '../support/sample-papers.js';

/** Shaped like the runner's `execution` block on a resumed GPU spot run (trainium-runner/sherpa_runner/execution_info.py). */
const GPU_SPOT: ExecutionInfo = {
  wallSeconds: 754.2,
  throughput: { value: 48213.7, unit: 'tokens/s', source: 'metrics', metric: 'tokens_per_second' },
  peakHostMemoryBytes: 6_442_450_944,
  peakDeviceMemoryBytes: 21_474_836_480,
  device: { name: 'NVIDIA A10G', count: 1 },
  instance: { id: 'i-0fa5e1c0ffee12345', type: 'g5.xlarge', amiId: 'ami-0dlbase0gpu', market: 'spot' },
  runnerVersion: '1.0.0',
  interruptions: 1,
  resumes: 1,
};

const NEURON: ExecutionInfo = {
  wallSeconds: 402,
  compileSeconds: 131.5,
  throughput: { value: 3.25, unit: 'steps/s', source: 'runner' },
  device: { name: 'AWS Trainium', count: 1 },
  instance: { type: 'trn1.2xlarge', market: 'on-demand' },
  runnerVersion: '1.0.0',
  interruptions: 0,
  resumes: 0,
};

describe('execution info in the thread and /paper status (issue 12, item 6)', () => {
  it('tells what a GPU spot run ran on, how fast, and its interruptions and resumes', () => {
    expect(executionLines(GPU_SPOT)).toEqual([
      '*Ran on:* g5.xlarge (spot) · 1× NVIDIA A10G · i-0fa5e1c0ffee12345',
      '*Execution:* wall 12 min 34 s · 48210 tokens/s · peak host memory 6.00 GiB · peak device memory 20.00 GiB',
      '1 interruption, 1 resume · AMI ami-0dlbase0gpu · runner 1.0.0',
    ]);
    expect(executionSummary(GPU_SPOT)).toBe(
      'g5.xlarge spot, 48210 tokens/s, 20.00 GiB device, 1 interruption, 1 resume',
    );
  });

  it('shows the compile time of a Neuron run and says when the runner measured the throughput', () => {
    const lines = executionLines(NEURON);
    expect(lines[0]).toBe('*Ran on:* trn1.2xlarge (on-demand) · 1× AWS Trainium');
    expect(lines[1]).toContain('compile 2 min 12 s');
    expect(lines[1]).toContain('3.25 steps/s (measured by the runner)');
    expect(lines[2]).toBe('runner 1.0.0');
  });

  it('says nothing for a result from before execution info, and parses such a result', () => {
    expect(executionLines(undefined)).toEqual([]);
    expect(executionSummary(undefined)).toBeUndefined();
    const old = RunnerResultSchema.safeParse({
      schemaVersion: 1,
      runId: 'r_old',
      status: 'succeeded',
      backend: 'neuron',
      exitCode: 0,
      startedAt: '2026-11-20T10:00:00Z',
      finishedAt: '2026-11-20T10:05:00Z',
      durationSeconds: 290,
      metrics: { series: {}, summary: {} },
      profile: { kind: 'none', reason: 'x' },
      failure: null,
      logTail: { stdout: [], stderr: [] },
      truncated: { stdout: false, stderr: false },
      artifacts: [],
      sandbox: { user: 'u', metadataBlocked: true, envKeys: [] },
    });
    expect(old.success).toBe(true);
  });

  it('escapes what the instance metadata or the code could have put in a name', () => {
    const hostile: ExecutionInfo = {
      ...GPU_SPOT,
      device: { name: '<!channel> *GPU*', count: 1 },
      throughput: { value: 1, unit: '<https://evil.example|x>/s' },
    };
    const text = executionLines(hostile).join('\n');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil.example');
  });

  it('puts the execution info in the run result message and in /paper status', () => {
    const view: RunResultView = {
      paperId: 'p_1',
      runId: 'r_1',
      codeHash: 'a'.repeat(64),
      status: 'succeeded',
      durationSeconds: 700,
      backend: 'cuda',
      execution: GPU_SPOT,
      cost: {
        instanceSeconds: 760,
        instanceUsd: 0.2,
        hourlyPriceUsd: 1,
        tokenUsd: 0,
        inputTokens: 0,
        outputTokens: 0,
      },
      artifacts: [],
      fixRoundsLeft: 3,
    };
    const message = runResultMessage(view);
    expectWithinBlockKitLimits(message.blocks);
    expect(JSON.stringify(message.blocks)).toContain('*Ran on:* g5.xlarge (spot)');

    const paper = judgedPaper(1, {
      state: 'succeeded',
      runs: [
        {
          runId: 'r_1',
          codeHash: 'a'.repeat(64),
          status: 'succeeded',
          queuedAt: '2026-12-05T10:00:00.000Z',
          startedAt: '2026-12-05T10:01:00.000Z',
          finishedAt: '2026-12-05T10:13:40.000Z',
          execution: GPU_SPOT,
        },
      ],
    });
    const status = JSON.stringify(paperStatusMessage(paper, [], 'UTC').blocks);
    expect(status).toContain('g5.xlarge spot, 48210 tokens/s, 20.00 GiB device, 1 interruption, 1 resume');
  });
});
