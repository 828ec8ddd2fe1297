import type { RunnerResult } from '../domain/runner-contract.js';
import type { LedgerExecution } from '../ports/cost-ledger.js';
import type { InstanceLease } from './instance-pool.js';

/**
 * What the cost ledger keeps of an attempt's execution info (issue 12, item 6): the instance type and market
 * the runner read from the instance's metadata service, else the lease's (the pool's type, the market it was
 * placed in); the device, wall seconds and throughput from result.json when the runner wrote one.
 */
export function ledgerExecutionOf(lease: InstanceLease, result: RunnerResult | undefined): LedgerExecution {
  const info = result?.execution;
  const execution: LedgerExecution = {
    instanceType: info?.instance?.type ?? lease.pool.instanceType,
    market: info?.instance?.market ?? lease.market,
  };
  if (info?.device) {
    execution.device = info.device.count > 1 ? `${info.device.name} ×${info.device.count}` : info.device.name;
  }
  if (info?.wallSeconds !== undefined) execution.wallSeconds = info.wallSeconds;
  // The ledger refuses a negative rate (a runner's clock glitch); the result still shows it.
  if (info?.throughput && info.throughput.value >= 0) {
    execution.throughput = { value: info.throughput.value, unit: info.throughput.unit };
  }
  return execution;
}
