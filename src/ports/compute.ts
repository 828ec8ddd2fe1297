import { TransientError } from '../errors.js';
import type { RunnerProgress } from '../domain/runner-contract.js';

/**
 * Where approved code runs. Adapters: EC2 + SSM for the trn1 instances (`src/adapters/ec2-ssm/`) and the
 * bot's own host (`src/adapters/local-compute/`, `COMPUTE=local`). Which instance a run gets, and when an
 * idle one is stopped, is decided by `src/runs/instance-pool.ts` with leases in the CoordinationStore; this
 * port only moves one instance between states and runs the runner on it.
 */
export const INSTANCE_STATES = [
  'pending',
  'running',
  'stopping',
  'stopped',
  'shutting-down',
  'terminated',
] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

export interface InstanceStatus {
  instanceId: string;
  state: InstanceState;
  /** When the instance last started (EC2 `LaunchTime` is reset by every start). */
  launchedAt?: string;
  instanceType?: string;
  /** EC2 `InstanceLifecycle`: `spot` for a spot instance, absent (on-demand) otherwise. */
  lifecycle?: 'spot' | 'on-demand';
}

/**
 * One RunInstances call for a `launch` pool (issue 12, item 2). `clientToken` makes it idempotent: a retry, or
 * a second worker adopting a crashed worker's slot, gets the same instance back instead of a second one.
 */
export interface LaunchRequest {
  pool: string;
  /** The pool slot this instance fills (`runs/pool-slots.ts`); tagged on the instance. */
  slot: string;
  instanceType: string;
  launchTemplate: { id?: string; name?: string; version: string };
  market: 'spot' | 'on-demand';
  clientToken: string;
}

/** EC2 error codes that mean "no room here now": the scheduler tries the next pool of the same backend. */
export const CAPACITY_ERROR_CODES = [
  'InsufficientInstanceCapacity',
  'SpotMaxPriceTooLow',
  'MaxSpotInstanceCountExceeded',
  'VcpuLimitExceeded',
  'InstanceLimitExceeded',
  'InsufficientCapacity',
  'Unsupported',
] as const;

/** A launch refused for capacity or quota: not the run's fault, and another pool may have room. */
export class LaunchCapacityError extends TransientError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`, { context: { code } });
  }
}

/** Each step of bringing an instance up, reported so the thread can show what the run is waiting for. */
export type ReadyStep =
  | { step: 'waiting_for_stop'; instanceId: string }
  | { step: 'starting'; instanceId: string }
  | { step: 'capacity_retry'; instanceId: string; attempt: number; retryInSeconds: number; message: string }
  | { step: 'waiting_for_running'; instanceId: string; elapsedSeconds: number }
  | { step: 'waiting_for_agent'; instanceId: string; elapsedSeconds: number }
  | { step: 'ready'; instanceId: string; startedByUs: boolean };

export type OnReadyStep = (step: ReadyStep) => void | Promise<void>;

export interface RunCommand {
  runId: string;
  /** Blob key of the run's job.json (the runner finds everything else from it). */
  jobKey: string;
  /** The runner's own limit; the command gets a little more so the runner can write its result first. */
  timeoutSeconds: number;
  /**
   * The idempotency key of this dispatch (`runs/dispatch-marker.ts`), carried by the command itself (the SSM
   * comment) so that a later worker finds the command by it instead of sending a second one.
   */
  dispatchKey: string;
  /**
   * Do not begin a send after this instant: until then the worker's instance lease is sure to be its own, so
   * no other worker can be dispatching the same run at the same time (issue 10, found item 6).
   */
  sendBy: Date;
}

/** Enough to find a run again after the bot restarts; stored on the run record. */
export interface RunHandle {
  instanceId: string;
  commandId: string;
  runId: string;
}

export type RunOutcome = 'success' | 'failed' | 'timed_out' | 'cancelled' | 'undeliverable' | 'lost';

export type RunPoll =
  | { state: 'pending' }
  | { state: 'running' }
  | {
      state: 'finished';
      outcome: RunOutcome;
      exitCode: number | null;
      /** The service's own words (SSM `StatusDetails`, or the local exit signal). */
      detail: string;
      /** What the command printed (SSM keeps the first 24,000 / 8,000 characters). */
      stdout: string;
      stderr: string;
    };

export interface Compute {
  readonly kind: 'ec2' | 'local';
  readonly instanceIds: readonly string[];
  /** Price of one instance hour, for the cost ledger and the budget guard (0 for the local host). */
  readonly hourlyPriceUsd: number;
  /** False where there is nothing to stop (the local host); idle stop skips such compute. */
  readonly stoppable: boolean;
  /** The given instances (default: the configured fixed ones), in EC2's words. */
  describe(instanceIds?: readonly string[]): Promise<InstanceStatus[]>;
  /**
   * Bring one instance to "running and its agent online": wait out `stopping`, start it (retrying
   * capacity errors with backoff), wait for `running`, then for the agent. Throws a PermanentError with a
   * user-facing hint when a budget runs out.
   */
  ensureReady(instanceId: string, onStep: OnReadyStep): Promise<{ startedByUs: boolean }>;
  startRun(instanceId: string, run: RunCommand): Promise<RunHandle>;
  /**
   * The command an earlier dispatch with this key started on the instance (sent at or after `since`), if any:
   * how a redelivered, restarted or second worker adopts a run instead of sending it again.
   */
  findRun(
    instanceId: string,
    lookup: { runId: string; dispatchKey: string; since: Date },
  ): Promise<RunHandle | undefined>;
  pollRun(handle: RunHandle): Promise<RunPoll>;
  cancelRun(handle: RunHandle): Promise<void>;
  /** The runner's progress.json for a run, if it has written one yet. */
  readProgress(handle: RunHandle): Promise<RunnerProgress | undefined>;
  /** The BlobStore scope this instance's runner may use (`domain/run-keys.ts`). */
  storageScope(instanceId: string): string;
  stop(instanceId: string): Promise<void>;
  /** Launch one instance for a `launch` pool; throws LaunchCapacityError when EC2 has no room. */
  launch?(request: LaunchRequest): Promise<InstanceStatus>;
  /** The instance an earlier launch with this client token started, if any (crash reconciliation). */
  findLaunched?(clientToken: string): Promise<InstanceStatus | undefined>;
  /** Terminate a launched instance: launched instances are never left stopped. */
  terminate?(instanceId: string): Promise<void>;
}
