import type { BlobStore } from '../../src/ports/blob-store.js';
import {
  LaunchCapacityError,
  type Compute,
  type InstanceState,
  type InstanceStatus,
  type LaunchRequest,
  type OnReadyStep,
  type RunCommand,
  type RunHandle,
  type RunPoll,
} from '../../src/ports/compute.js';
import { readProgress } from '../../src/runner/read-run-files.js';
import { runKeys } from '../../src/domain/run-keys.js';
import { RunnerJobSchema, type RunnerProgress, type RunnerResult } from '../../src/domain/runner-contract.js';
import type { VirtualClock } from './virtual-clock.js';

interface SimInstance {
  state: InstanceState;
  /** When a `pending` instance becomes `running`, or a `stopping` one `stopped`. */
  settlesAt?: number;
  launchedAt?: number;
  /** Billed intervals [start, end); an open one has end undefined. */
  billed: { start: number; end?: number }[];
  /** Launched instances (issue 12): their pool, market and client token. */
  launch?: { pool: string; market: 'spot' | 'on-demand'; clientToken: string };
}

export interface SimRun {
  runId: string;
  endsAt: number;
  written: boolean;
  instanceId: string;
  /** Work done before this attempt began (restored from its checkpoint) and when this attempt began. */
  workBeforeMs: number;
  startedAt: number;
  /** Set by `interrupt`: the run ends with status `interrupted` and this much work checkpointed. */
  interrupted?: { checkpointedMs: number };
  /** The job's smoke gate as the runner reports it (`execution.smokeGate`). */
  gate?: {
    seconds: number;
    metric: string;
    passed: boolean;
    passedAfterSeconds?: number;
    compilerSeconds?: number;
  };
}

export interface SimulatedComputeOptions {
  clock: VirtualClock;
  blobs: BlobStore;
  instanceIds: string[];
  hourlyPriceUsd: number;
  /** From StartInstances to SSM Online. */
  bootMs: number;
  /** From StopInstances to `stopped`. */
  stopMs: number;
  /** How long the code of a run takes on the instance. */
  runMs: (runId: string) => number;
  pollMs?: number;
  initialState?: InstanceState;
  /** Make some runs fail the way a Neuron compile error does. */
  fails?: (runId: string) => boolean;
  /** The metric summary a run reports (`{ val_loss: 1.7 }`: first = last = best), instead of the loss curve's. */
  summary?: (runId: string) => Record<string, number> | undefined;
  /** What the runner reports of the metadata block (true unless a test says otherwise). */
  metadataBlocked?: boolean;
  /**
   * Issue 12: a launch's answer. Return an EC2 error code (`InsufficientInstanceCapacity`, …) to refuse it for
   * capacity; undefined launches. Absent: every launch succeeds.
   */
  capacity?: (request: LaunchRequest) => string | undefined;
  /** How often the simulated code checkpoints (its work since the last one is lost on interruption). */
  checkpointEveryMs?: number;
  /**
   * Issue 13, the runner's smoke gate: when the code first prints the job's `smokeGate.metric`, in ms of its
   * run (default 10 s, or its whole length if shorter); undefined: never. A gated run that has not printed it
   * within the window is stopped there and fails with `no_objective`, as the runner does.
   */
  objectiveAfterMs?: (runId: string) => number | undefined;
  /** What a gate stop takes after the window (the runner's SIGTERM grace, its upload); default none. */
  gateStopMs?: number;
  /** Time the run spends in a Neuron compiler first: the runner leaves it out of the gate's window. */
  compilerMs?: (runId: string) => number;
}

/**
 * EC2 on a virtual clock, for the scheduling benchmark and worker tests: instances boot in `bootMs`, stop in
 * `stopMs`, and a run "trains" for `runMs` then writes a valid result.json, like the runner would. Billing
 * follows EC2: from the start request until the stop request (conservatively counting the boot).
 */
export class SimulatedCompute implements Compute {
  readonly kind = 'ec2' as const;
  readonly stoppable = true;
  readonly instanceIds: readonly string[];
  readonly hourlyPriceUsd: number;
  readonly instances = new Map<string, SimInstance>();
  readonly runs = new Map<string, SimRun>();
  readonly starts: string[] = [];
  /** Every command sent, in order: exactly-once dispatch means one per run. */
  readonly sent: RunCommand[] = [];
  private readonly byKey = new Map<string, RunHandle>();
  /** When each run's code began (virtual ms), for queue-wait figures. */
  readonly runStarts = new Map<string, number>();
  readonly stops: string[] = [];
  /** Launched instances in order, and terminated ones (issue 12). */
  readonly launched: { instanceId: string; pool: string; market: 'spot' | 'on-demand'; at: number }[] = [];
  readonly terminated: string[] = [];
  /** Work lost at each interruption (ms of code time since its last checkpoint). */
  readonly lostWorkMs: number[] = [];
  /** Code time of every attempt, by the run's base id (an interrupted run has several). */
  readonly codeMs = new Map<string, number[]>();
  private launchCount = 0;

  constructor(private readonly options: SimulatedComputeOptions) {
    this.instanceIds = options.instanceIds;
    this.hourlyPriceUsd = options.hourlyPriceUsd;
    const now = options.clock.now().getTime();
    for (const id of options.instanceIds) {
      const state = options.initialState ?? 'stopped';
      this.instances.set(id, {
        state,
        billed: state === 'running' ? [{ start: now }] : [],
        ...(state === 'running' ? { launchedAt: now } : {}),
      });
    }
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }

  private settle(instance: SimInstance): SimInstance {
    if (instance.settlesAt !== undefined && this.now() >= instance.settlesAt) {
      instance.state =
        instance.state === 'pending' ? 'running' : instance.state === 'stopping' ? 'stopped' : instance.state;
      delete instance.settlesAt;
    }
    return instance;
  }

  private get(id: string): SimInstance {
    const instance = this.instances.get(id);
    if (!instance) throw new Error(`no simulated instance ${id}`);
    return this.settle(instance);
  }

  async describe(instanceIds: readonly string[] = this.options.instanceIds): Promise<InstanceStatus[]> {
    return instanceIds
      .filter((instanceId) => this.instances.has(instanceId))
      .map((instanceId) => this.statusOf(instanceId));
  }

  private statusOf(instanceId: string): InstanceStatus {
    const instance = this.get(instanceId);
    return {
      instanceId,
      state: instance.state,
      ...(instance.launchedAt !== undefined
        ? { launchedAt: new Date(instance.launchedAt).toISOString() }
        : {}),
      lifecycle: instance.launch?.market ?? 'on-demand',
    };
  }

  /** RunInstances: idempotent on the client token, refused when `capacity` says so; boots in `bootMs`. */
  async launch(request: LaunchRequest): Promise<InstanceStatus> {
    const same = [...this.instances.entries()].find(([, i]) => i.launch?.clientToken === request.clientToken);
    if (same) return this.statusOf(same[0]);
    const refused = this.options.capacity?.(request);
    if (refused)
      throw new LaunchCapacityError(refused, `simulated: no ${request.market} capacity in ${request.pool}`);
    this.launchCount += 1;
    const instanceId = `i-1a${this.launchCount.toString(16).padStart(15, '0')}`;
    this.instances.set(instanceId, {
      state: 'pending',
      settlesAt: this.now() + this.options.bootMs,
      launchedAt: this.now(),
      billed: [{ start: this.now() }],
      launch: { pool: request.pool, market: request.market, clientToken: request.clientToken },
    });
    this.launched.push({ instanceId, pool: request.pool, market: request.market, at: this.now() });
    return this.statusOf(instanceId);
  }

  async findLaunched(clientToken: string): Promise<InstanceStatus | undefined> {
    const found = [...this.instances.entries()].find(([, i]) => i.launch?.clientToken === clientToken);
    return found && this.statusOf(found[0]);
  }

  async terminate(instanceId: string): Promise<void> {
    const instance = this.get(instanceId);
    if (instance.state === 'terminated') return;
    instance.state = 'terminated';
    const open = instance.billed[instance.billed.length - 1];
    if (open && open.end === undefined) open.end = this.now();
    this.terminated.push(instanceId);
  }

  /**
   * A spot interruption on a running instance: the code stops, its checkpoint (the last one it saved) is
   * synced and the result says `interrupted`, as the runner writes it; EC2 then reclaims the instance.
   */
  interrupt(instanceId: string): boolean {
    const run = [...this.runs.values()].find(
      (r) => r.instanceId === instanceId && !r.written && !r.interrupted,
    );
    const every = this.options.checkpointEveryMs ?? 60_000;
    if (run) {
      const worked = run.workBeforeMs + (this.now() - run.startedAt);
      const checkpointedMs = Math.floor(worked / every) * every;
      this.lostWorkMs.push(worked - checkpointedMs);
      run.interrupted = { checkpointedMs };
      run.endsAt = this.now();
    }
    void this.terminate(instanceId);
    return run !== undefined;
  }

  /** Running (or booting) instances that no one has stopped or terminated. */
  live(): string[] {
    return [...this.instances.keys()].filter((id) => ['running', 'pending'].includes(this.get(id).state));
  }

  async ensureReady(instanceId: string, onStep: OnReadyStep): Promise<{ startedByUs: boolean }> {
    const poll = this.options.pollMs ?? 5_000;
    let startedByUs = false;
    for (;;) {
      const instance = this.get(instanceId);
      if (instance.state === 'running') break;
      if (instance.state === 'stopped') {
        await onStep({ step: 'starting', instanceId });
        instance.state = 'pending';
        instance.settlesAt = this.now() + this.options.bootMs;
        instance.launchedAt = this.now();
        instance.billed.push({ start: this.now() });
        this.starts.push(new Date(this.now()).toISOString());
        startedByUs = true;
        continue;
      }
      await onStep(
        instance.state === 'stopping'
          ? { step: 'waiting_for_stop', instanceId }
          : { step: 'waiting_for_running', instanceId, elapsedSeconds: 0 },
      );
      await this.options.clock.sleep(
        Math.min(poll, Math.max(1, (instance.settlesAt ?? this.now()) - this.now())),
      );
    }
    await onStep({ step: 'ready', instanceId, startedByUs });
    return { startedByUs };
  }

  async startRun(instanceId: string, run: RunCommand): Promise<RunHandle> {
    if (this.get(instanceId).state !== 'running')
      throw new Error(`run sent to ${instanceId} while not running`);
    // A resumed attempt (`<runId>.a<n>`) restores the work its checkpoint holds, as the runner would.
    const jobText = await this.options.blobs.getText(run.jobKey);
    const job = jobText ? RunnerJobSchema.parse(JSON.parse(jobText)) : undefined;
    const restored = job?.resumeFrom
      ? await this.options.blobs.getText(`${run.jobKey.replace(/job\.json$/, '')}checkpoint/state.json`)
      : undefined;
    const workBeforeMs = restored ? (JSON.parse(restored) as { workMs: number }).workMs : 0;
    let total = this.options.runMs(job?.runId ?? run.runId);
    let gate: SimRun['gate'];
    if (job?.smokeGate) {
      const { seconds, metric } = job.smokeGate;
      // Both in the code's own time, the compiler's left out (as the runner counts the window).
      const compiler = this.options.compilerMs?.(run.runId) ?? 0;
      const reportsAt = this.options.objectiveAfterMs
        ? this.options.objectiveAfterMs(run.runId)
        : Math.min(total, 10_000);
      const compiled = compiler > 0 ? { compilerSeconds: compiler / 1000 } : {};
      if (reportsAt === undefined || reportsAt > seconds * 1000) {
        total = Math.min(total, compiler + seconds * 1000 + (this.options.gateStopMs ?? 0));
        gate = { seconds, metric, passed: false, ...compiled };
      } else
        gate = {
          seconds,
          metric,
          passed: true,
          passedAfterSeconds: (compiler + reportsAt) / 1000,
          ...compiled,
        };
    }
    this.runs.set(run.runId, {
      runId: run.runId,
      endsAt: this.now() + Math.max(0, total - workBeforeMs),
      written: false,
      instanceId,
      workBeforeMs,
      startedAt: this.now(),
      ...(gate ? { gate } : {}),
    });
    this.runStarts.set(run.runId, this.now());
    this.sent.push(run);
    const handle = { instanceId, commandId: `cmd-${run.runId}`, runId: run.runId };
    this.byKey.set(`${instanceId}/${run.dispatchKey}`, handle);
    return handle;
  }

  async findRun(instanceId: string, lookup: { dispatchKey: string }): Promise<RunHandle | undefined> {
    return this.byKey.get(`${instanceId}/${lookup.dispatchKey}`);
  }

  async pollRun(handle: RunHandle): Promise<RunPoll> {
    const run = this.runs.get(handle.runId);
    if (!run)
      return {
        state: 'finished',
        outcome: 'lost',
        exitCode: null,
        detail: 'unknown',
        stdout: '',
        stderr: '',
      };
    if (this.now() < run.endsAt) return { state: 'running' };
    if (!run.written) {
      const base = run.runId.replace(/\.a\d+$/, '');
      this.codeMs.set(base, [...(this.codeMs.get(base) ?? []), run.endsAt - run.startedAt]);
    }
    if (!run.written && run.interrupted) {
      run.written = true;
      const location = { runId: run.runId, scope: this.storageScope(handle.instanceId) };
      const keys = runKeys(location);
      const state = JSON.stringify({ workMs: run.interrupted.checkpointedMs });
      await this.options.blobs.put(`${keys.resultPrefix}checkpoint/state.json`, state);
      const result: RunnerResult = {
        ...simulatedResult(run, this.now(), false),
        status: 'interrupted',
        exitCode: null,
        metrics: { series: {}, summary: {} },
        checkpoint: { uri: this.options.blobs.uriFor(`${keys.resultPrefix}checkpoint/`), syncs: 1 },
        interruption: { action: 'terminate', stoppedWithinGrace: true },
      };
      await this.options.blobs.put(keys.result, JSON.stringify(result));
    } else if (!run.written) {
      run.written = true;
      const stoppedAtGate = run.gate?.passed === false;
      const simulated = stoppedAtGate
        ? gateStoppedResult(run, this.now())
        : simulatedResult(run, this.now(), this.options.fails?.(run.runId) ?? false);
      const summary = simulated.status === 'succeeded' ? this.options.summary?.(run.runId) : undefined;
      const result = {
        ...simulated,
        ...(summary ? { metrics: { series: {}, summary: summaryOf(summary) } } : {}),
        sandbox: { ...simulated.sandbox, metadataBlocked: this.options.metadataBlocked ?? true },
        ...(run.gate ? { execution: { smokeGate: run.gate } } : {}),
      };
      const location = { runId: run.runId, scope: this.storageScope(handle.instanceId) };
      await this.options.blobs.put(runKeys(location).result, JSON.stringify(result));
    }
    return { state: 'finished', outcome: 'success', exitCode: 0, detail: 'Success', stdout: '', stderr: '' };
  }

  /** Run ids whose command was cancelled (the run itself goes on to its end here). */
  readonly cancelled: string[] = [];

  async cancelRun(handle: RunHandle): Promise<void> {
    this.cancelled.push(handle.runId);
  }

  readProgress(handle: RunHandle): Promise<RunnerProgress | undefined> {
    return readProgress(this.options.blobs, {
      runId: handle.runId,
      scope: this.storageScope(handle.instanceId),
    });
  }

  storageScope(instanceId: string): string {
    return instanceId;
  }

  async stop(instanceId: string): Promise<void> {
    const instance = this.get(instanceId);
    if (instance.state !== 'running' && instance.state !== 'pending') return;
    instance.state = 'stopping';
    instance.settlesAt = this.now() + this.options.stopMs;
    const open = instance.billed[instance.billed.length - 1];
    if (open && open.end === undefined) open.end = this.now();
    this.stops.push(new Date(this.now()).toISOString());
  }

  /** Billed milliseconds of one instance up to now (EC2 bills a minimum of one minute per start). */
  billedMs(instanceId: string): number {
    const instance = this.get(instanceId);
    return instance.billed.reduce(
      (sum, span) => sum + Math.max(60_000, (span.end ?? this.now()) - span.start),
      0,
    );
  }
}

function summaryOf(values: Record<string, number>): RunnerResult['metrics']['summary'] {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      name,
      { first: value, last: value, best: value, goal: 'min' as const, points: 1 },
    ]),
  );
}

/** What the runner writes when its smoke gate stopped the code (trainium-runner/sherpa_runner/smoke_gate.py). */
function gateStoppedResult(run: SimRun, nowMs: number): RunnerResult {
  return {
    ...simulatedResult(run, nowMs, false),
    status: 'failed',
    exitCode: -15,
    metrics: { series: {}, summary: {} },
    profile: { kind: 'none', reason: 'the run was stopped at its smoke gate before it could be profiled' },
    failure: {
      class: 'no_objective',
      message: `no METRICS line carrying '${run.gate?.metric}' within the ${run.gate?.seconds} s smoke window`,
    },
  };
}

function simulatedResult(run: SimRun, nowMs: number, failed: boolean): RunnerResult {
  const losses = [2.3, 1.9, 1.6, 1.4];
  if (failed) {
    return {
      ...simulatedResult(run, nowMs, false),
      status: 'failed',
      exitCode: 70,
      metrics: { series: {}, summary: {} },
      failure: {
        class: 'compiler_error',
        code: 'NCC_EUOC002',
        message: 'neuronx-cc rejected the graph: unsupported operator aten::_fft_r2c',
      },
      logTail: {
        stdout: ['Compiling graph 1'],
        stderr: [
          'train.py:46: DeprecationWarning: Use torch_xla.device instead',
          '  device = xm.xla_device()',
          'ERROR 12345 [neuronx-cc]: ***************************************************************',
          'ERROR 12345 [neuronx-cc]: [NCC_EUOC002] Unsupported operator aten::_fft_r2c',
        ],
      },
    };
  }
  return {
    schemaVersion: 1,
    runId: run.runId,
    status: 'succeeded',
    backend: 'neuron',
    exitCode: 0,
    startedAt: new Date(run.endsAt).toISOString(),
    finishedAt: new Date(nowMs).toISOString(),
    durationSeconds: 240,
    metrics: {
      series: { loss: losses.map((value, step) => ({ step, value })) },
      summary: { loss: { first: 2.3, last: 1.4, best: 1.4, goal: 'min', points: losses.length } },
    },
    profile: { kind: 'none', reason: 'simulated' },
    failure: null,
    logTail: { stdout: [], stderr: [] },
    truncated: { stdout: false, stderr: false },
    artifacts: ['stdout.log', 'stderr.log'],
    sandbox: { user: 'sherpa-run', metadataBlocked: true, envKeys: ['PATH'] },
  };
}
