import type { RunnerResult } from '../domain/runner-contract.js';
import { containmentUnconfirmed, failureClassOfPoll } from '../runs/final-report.js';
import type { FinishedPoll } from '../runs/watch-run.js';
import type { Objective } from '../domain/objective.js';

export interface VariantOutcome {
  succeeded: boolean;
  metric?: number;
  failureClass?: string;
}

/**
 * How a variant stage scored (issue 13, item 2): a run that crashed, timed out or never printed the objective
 * scores as failed with its class. A smoke run only has to succeed. The metric is the objective's last value
 * (the end-of-budget evaluation), the same for every variant.
 */
export function variantOutcome(
  objective: Objective,
  stage: 'smoke' | 'run',
  result: RunnerResult | undefined,
  poll: FinishedPoll,
): VariantOutcome {
  if (!result) return { succeeded: false, failureClass: failureClassOfPoll(poll) };
  if (containmentUnconfirmed(result)) return { succeeded: false, failureClass: 'containment_failed' };
  if (result.status !== 'succeeded')
    return { succeeded: false, failureClass: result.failure?.class ?? 'nonzero_exit' };
  if (stage === 'smoke') return { succeeded: true };
  const summary = result.metrics.summary[objective.metric];
  if (!summary || !Number.isFinite(summary.last)) return { succeeded: false, failureClass: 'no_objective' };
  return { succeeded: true, metric: summary.last };
}
