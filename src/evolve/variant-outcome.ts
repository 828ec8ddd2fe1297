import type { RunnerResult } from '../domain/runner-contract.js';
import { containmentUnconfirmed, failureClassOfPoll } from '../runs/final-report.js';
import type { FinishedPoll } from '../runs/watch-run.js';
import type { Objective } from '../domain/objective.js';

export interface VariantOutcome {
  succeeded: boolean;
  metric?: number;
  failureClass?: string;
  /** A gated run's smoke stage, from its result (`execution.smokeGate`); absent without a gate or a result. */
  gate?: { passed: boolean; afterSeconds?: number };
}

/** The smoke gate's verdict as the runner recorded it; a result without it (an older runner) says nothing. */
function gateOf(result: RunnerResult): VariantOutcome['gate'] {
  const gate = result.execution?.smokeGate;
  if (!gate) return undefined;
  return gate.passedAfterSeconds !== undefined
    ? { passed: gate.passed, afterSeconds: gate.passedAfterSeconds }
    : { passed: gate.passed };
}

/**
 * How a variant stage scored (issue 13, item 2): a run that crashed, timed out or never printed the objective
 * scores as failed with its class (`no_objective` also when the runner's smoke gate stopped it). A legacy
 * smoke run only has to succeed. The metric is the objective's last value (the end-of-budget evaluation), the
 * same for every variant.
 */
export function variantOutcome(
  objective: Objective,
  stage: 'smoke' | 'run',
  result: RunnerResult | undefined,
  poll: FinishedPoll,
): VariantOutcome {
  if (!result) return { succeeded: false, failureClass: failureClassOfPoll(poll) };
  const gate = gateOf(result);
  const withGate = (outcome: VariantOutcome): VariantOutcome => (gate ? { ...outcome, gate } : outcome);
  if (containmentUnconfirmed(result))
    return withGate({ succeeded: false, failureClass: 'containment_failed' });
  if (result.status !== 'succeeded')
    return withGate({ succeeded: false, failureClass: result.failure?.class ?? 'nonzero_exit' });
  if (stage === 'smoke') return { succeeded: true };
  const summary = result.metrics.summary[objective.metric];
  if (!summary || !Number.isFinite(summary.last))
    return withGate({ succeeded: false, failureClass: 'no_objective' });
  return withGate({ succeeded: true, metric: summary.last });
}
