import { describe, expect, it } from 'vitest';
import type { RunnerResult } from '../../src/domain/runner-contract.js';
import type { InstanceLease } from '../../src/runs/instance-pool.js';
import { ledgerExecutionOf } from '../../src/runs/ledger-execution.js';

// Only what ledgerExecutionOf reads of a lease: its pool's instance type and the market it was placed in.
const lease = { pool: { instanceType: 'p5.48xlarge' }, market: 'spot' } as unknown as InstanceLease;
const resultWith = (execution: RunnerResult['execution']) => ({ execution }) as unknown as RunnerResult;

describe("a run's execution info for the cost ledger (issue 12, item 6)", () => {
  it('takes type and market from the runner, device as name × count, wall seconds and throughput', () => {
    expect(
      ledgerExecutionOf(
        lease,
        resultWith({
          wallSeconds: 61.5,
          throughput: { value: 1234.5, unit: 'samples/s', source: 'metrics', metric: 'samples_per_sec' },
          device: { name: 'NVIDIA H100 80GB HBM3', count: 8 },
          instance: { id: 'i-1', type: 'p5.48xlarge', market: 'on-demand' },
        }),
      ),
    ).toEqual({
      instanceType: 'p5.48xlarge',
      market: 'on-demand',
      device: 'NVIDIA H100 80GB HBM3 ×8',
      wallSeconds: 61.5,
      throughput: { value: 1234.5, unit: 'samples/s' },
    });
  });

  it("falls back to the lease's type and market when there is no result, and drops a negative rate", () => {
    expect(ledgerExecutionOf(lease, undefined)).toEqual({ instanceType: 'p5.48xlarge', market: 'spot' });
    expect(
      ledgerExecutionOf(
        lease,
        resultWith({ throughput: { value: -1, unit: 'steps/s' }, device: { name: 'trainium', count: 1 } }),
      ),
    ).toEqual({ instanceType: 'p5.48xlarge', market: 'spot', device: 'trainium' });
  });
});
