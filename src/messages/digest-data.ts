import type { Paper } from '../domain/paper.js';
import type { FinishedRun, SourceActivity } from '../domain/window-activity.js';
import type { WaitingPaper } from '../domain/waiting-paper.js';

export type { FinishedRun, SourceActivity } from '../domain/window-activity.js';

/** One model or one instance in a spend period. */
export interface SpendLine {
  resource: string;
  usd: number;
  inputTokens: number;
  outputTokens: number;
  seconds: number;
}

export interface SpendPeriod {
  usd: number;
  models: SpendLine[];
  instances: SpendLine[];
}

/**
 * An instance as the digest and the Home tab show it: the fields of the compute port's `InstanceStatus` that a
 * person reads (declared here so that messages import only the domain; the port's type fits it as it is).
 */
export interface InstanceView {
  instanceId: string;
  /** EC2's state name (`running`, `stopped`, …). */
  state: string;
  launchedAt?: string;
  instanceType?: string;
}

export type InstanceReport =
  { kind: 'none' } | { kind: 'ok'; statuses: InstanceView[] } | { kind: 'unavailable'; reason: string };

/** Everything a digest says, gathered once from the ports; the message is a pure function of this. */
export interface DigestData {
  /** The local day the digest belongs to (`2026-11-23`). */
  day: string;
  generatedAt: string;
  /** Activity is counted from here (24 hours before `generatedAt`). */
  windowStart: string;
  timeZone: string;
  sources: SourceActivity[];
  /** Accepted papers without a thread, best first (at most the number shown). */
  candidates: Paper[];
  candidatesTotal: number;
  /** Papers at a human gate that have a thread to act in, oldest decision first. */
  waiting: WaitingPaper[];
  finishedRuns: FinishedRun[];
  spend: { today: SpendPeriod; month: SpendPeriod; dailyBudgetUsd: number };
  instances: InstanceReport;
}
