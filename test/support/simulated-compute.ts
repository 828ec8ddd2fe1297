import type { BlobStore } from '../../src/ports/blob-store.js';
import type {
  Compute,
  InstanceState,
  InstanceStatus,
  OnReadyStep,
  RunCommand,
  RunHandle,
  RunPoll,
} from '../../src/ports/compute.js';
import { readProgress } from '../../src/runner/read-run-files.js';
import { runKeys } from '../../src/domain/run-keys.js';
import type { RunnerProgress, RunnerResult } from '../../src/domain/runner-contract.js';
import type { VirtualClock } from './virtual-clock.js';

interface SimInstance {
  state: InstanceState;
  /** When a `pending` instance becomes `running`, or a `stopping` one `stopped`. */
  settlesAt?: number;
  launchedAt?: number;
  /** Billed intervals [start, end); an open one has end undefined. */
  billed: { start: number; end?: number }[];
}

interface SimRun {
  runId: string;
  endsAt: number;
  written: boolean;
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
  /** What the runner reports of the metadata block (true unless a test says otherwise). */
  metadataBlocked?: boolean;
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

  async describe(): Promise<InstanceStatus[]> {
    return this.options.instanceIds.map((instanceId) => {
      const instance = this.get(instanceId);
      return {
        instanceId,
        state: instance.state,
        ...(instance.launchedAt !== undefined
          ? { launchedAt: new Date(instance.launchedAt).toISOString() }
          : {}),
      };
    });
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
    this.runs.set(run.runId, {
      runId: run.runId,
      endsAt: this.now() + this.options.runMs(run.runId),
      written: false,
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
      run.written = true;
      const simulated = simulatedResult(run, this.now(), this.options.fails?.(run.runId) ?? false);
      const result = {
        ...simulated,
        sandbox: { ...simulated.sandbox, metadataBlocked: this.options.metadataBlocked ?? true },
      };
      const location = { runId: run.runId, scope: this.storageScope(handle.instanceId) };
      await this.options.blobs.put(runKeys(location).result, JSON.stringify(result));
    }
    return { state: 'finished', outcome: 'success', exitCode: 0, detail: 'Success', stdout: '', stderr: '' };
  }

  async cancelRun(): Promise<void> {}

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
