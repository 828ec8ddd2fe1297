import type { Logger } from '../../logging/logger.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Clock } from '../../ports/clock.js';
import type {
  Compute,
  InstanceStatus,
  LaunchRequest,
  OnReadyStep,
  RunCommand,
  RunHandle,
  RunPoll,
} from '../../ports/compute.js';
import type { Sleep } from '../../ports/sleep.js';
import { readProgress } from '../../runner/read-run-files.js';
import {
  buildRunnerBundle,
  publishRunnerBundle,
  readBootstrapScript,
  type PublishedRunner,
} from '../../runner/runner-bundle.js';
import type { RunnerProgress } from '../../domain/runner-contract.js';
import type { Ec2SsmClients } from './clients.js';
import {
  DEFAULT_READY_BUDGETS,
  describeInstances,
  ensureInstanceReady,
  stopInstance,
  type LifecycleContext,
  type ReadyBudgets,
} from './instance-lifecycle.js';
import { findRunCommand } from './find-run-command.js';
import { findLaunchedInstance, launchInstance, statusOf, terminateInstance } from './launch-instance.js';
import { buildRunScript, cancelRunCommand, pollRunCommand, sendRunCommand } from './run-command.js';

export { createEc2SsmClients } from './clients.js';

/** SSM's RequestedDateTime and our clock may disagree a little; the lookup window starts this much earlier. */
const LOOKUP_SLACK_MS = 10 * 60_000;

export interface Ec2SsmComputeOptions {
  clients: Ec2SsmClients;
  instanceIds: readonly string[];
  hourlyPriceUsd: number;
  /** TRAINIUM_RUNNER_ROLE_ID; without it the scope is the instance id alone (tests, non-IAM stores). */
  runnerRoleId?: string;
  blobs: BlobStore;
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  /** The checkout's `trainium-runner/` (bundle source and bootstrap.sh). */
  runnerDir?: string;
  budgets?: Partial<ReadyBudgets>;
  /** Extra time the SSM command gets beyond the runner's own limit, for fetching, profiling and uploading. */
  commandGraceSeconds?: number;
  deliveryTimeoutSeconds?: number;
  random?: () => number;
}

/** trn1 instances driven through EC2 (start/stop/describe) and SSM Run Command (the runner). */
export class Ec2SsmCompute implements Compute {
  readonly kind = 'ec2' as const;
  readonly stoppable = true;
  readonly instanceIds: readonly string[];
  readonly hourlyPriceUsd: number;
  private readonly lifecycle: LifecycleContext;
  private published: Promise<{ runner: PublishedRunner; bootstrap: string }> | undefined;

  constructor(private readonly options: Ec2SsmComputeOptions) {
    this.instanceIds = options.instanceIds;
    this.hourlyPriceUsd = options.hourlyPriceUsd;
    this.lifecycle = {
      ec2: options.clients.ec2,
      ssm: options.clients.ssm,
      clock: options.clock,
      sleep: options.sleep,
      logger: options.logger,
      budgets: { ...DEFAULT_READY_BUDGETS, ...options.budgets },
      random: options.random ?? Math.random,
    };
  }

  async describe(instanceIds: readonly string[] = this.instanceIds): Promise<InstanceStatus[]> {
    if (instanceIds.length === 0) return [];
    const instances = await describeInstances(this.options.clients.ec2, instanceIds);
    return instances.map(statusOf);
  }

  ensureReady(instanceId: string, onStep: OnReadyStep): Promise<{ startedByUs: boolean }> {
    return ensureInstanceReady(this.lifecycle, instanceId, onStep);
  }

  /** The runner bundle is built and uploaded once per process (content-addressed, so once per version). */
  private publishRunner(): Promise<{ runner: PublishedRunner; bootstrap: string }> {
    this.published ??= (async () => {
      const bundle = await buildRunnerBundle(this.options.runnerDir);
      const runner = await publishRunnerBundle(this.options.blobs, bundle);
      const bootstrap = await readBootstrapScript(this.options.runnerDir);
      this.options.logger.info({ runnerKey: runner.key }, 'runner bundle published');
      return { runner, bootstrap };
    })();
    this.published.catch(() => {
      this.published = undefined;
    });
    return this.published;
  }

  async startRun(instanceId: string, run: RunCommand): Promise<RunHandle> {
    const { runner, bootstrap } = await this.publishRunner();
    const script = buildRunScript({
      bootstrap,
      runnerUri: runner.uri,
      jobUri: this.options.blobs.uriFor(run.jobKey),
    });
    const { clients, clock } = this.options;
    const sentAt = clock.now();
    return sendRunCommand(clients.ssmSend ?? clients.ssm, {
      instanceId,
      runId: run.runId,
      script,
      executionTimeoutSeconds: run.timeoutSeconds + (this.options.commandGraceSeconds ?? 900),
      deliveryTimeoutSeconds: this.options.deliveryTimeoutSeconds ?? 600,
      dispatchKey: run.dispatchKey,
      sendBy: run.sendBy,
      now: () => clock.now(),
      sleep: this.options.sleep,
      findSent: () =>
        this.findRun(instanceId, {
          runId: run.runId,
          dispatchKey: run.dispatchKey,
          since: new Date(sentAt.getTime() - LOOKUP_SLACK_MS),
        }),
    });
  }

  findRun(
    instanceId: string,
    lookup: { runId: string; dispatchKey: string; since: Date },
  ): Promise<RunHandle | undefined> {
    return findRunCommand(this.options.clients.ssm, this.options.logger, { instanceId, ...lookup });
  }

  pollRun(handle: RunHandle): Promise<RunPoll> {
    return pollRunCommand(this.options.clients.ssm, handle);
  }

  cancelRun(handle: RunHandle): Promise<void> {
    return cancelRunCommand(this.options.clients.ssm, handle);
  }

  readProgress(handle: RunHandle): Promise<RunnerProgress | undefined> {
    return readProgress(this.options.blobs, {
      runId: handle.runId,
      scope: this.storageScope(handle.instanceId),
    });
  }

  /** `<runner role id>:<instance id>`: the `aws:userid` of the instance's role session, which its S3 policy names. */
  storageScope(instanceId: string): string {
    return this.options.runnerRoleId ? `${this.options.runnerRoleId}:${instanceId}` : instanceId;
  }

  async stop(instanceId: string): Promise<void> {
    this.options.logger.info({ instanceId }, 'stopping instance');
    await stopInstance(this.options.clients.ec2, instanceId);
  }

  launch(request: LaunchRequest): Promise<InstanceStatus> {
    this.options.logger.info({ pool: request.pool, market: request.market }, 'launching instance');
    return launchInstance(this.options.clients.ec2, request);
  }

  findLaunched(clientToken: string): Promise<InstanceStatus | undefined> {
    return findLaunchedInstance(this.options.clients.ec2, clientToken);
  }

  async terminate(instanceId: string): Promise<void> {
    this.options.logger.info({ instanceId }, 'terminating launched instance');
    await terminateInstance(this.options.clients.ec2, instanceId);
  }
}
