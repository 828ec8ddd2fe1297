import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../../logging/logger.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type {
  Compute,
  InstanceStatus,
  OnReadyStep,
  RunCommand,
  RunHandle,
  RunPoll,
} from '../../ports/compute.js';
import { readProgress } from '../../runner/read-run-files.js';
import { DEFAULT_RUNNER_DIR } from '../../runner/runner-bundle.js';
import type { RunnerProgress } from '../../domain/runner-contract.js';
import { readDispatchRecord, runnerAlive, writeDispatchRecord } from './dispatch-records.js';
import { RunnerProcess } from './runner-process.js';

export const LOCAL_INSTANCE_ID = 'local';

/**
 * The variables the runner may inherit from the bot: how to find programs, which AWS region and profile to
 * use when the BlobStore is S3, and the runner's own settings (trainium-runner/README.md). Never a token or a
 * key: the bot's own secrets stay in the bot.
 */
const INHERITED = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'SHERPA_PYTHON',
  // Containment settings: network mode, --unconfined for an ordinary user's trial, and the run's limits.
  'SHERPA_NETWORK',
  'SHERPA_CONTAINMENT',
  'SHERPA_MEMORY_LIMIT_MB',
  'SHERPA_PIDS_MAX',
  'SHERPA_TMP_SIZE_MB',
  'SHERPA_SHM_SIZE_MB',
  'SHERPA_WORK_SIZE_MB',
  'SHERPA_PROGRESS_INTERVAL_SECONDS',
  'SHERPA_AWS_CLI',
];

export interface LocalComputeOptions {
  blobs: BlobStore;
  logger: Logger;
  /** Where the runner makes its per-run working folders (under DATA_DIR). */
  workRoot: string;
  runnerDir?: string;
  python?: string;
  /** Extra runner arguments, e.g. `--network none` on a test host without the metadata block. */
  runnerArgs?: string[];
  /** Added to (or replacing) the inherited environment: tests put a fake `neuron-profile` first on PATH. */
  env?: Record<string, string>;
  /** The environment to inherit from (the bot's, by default). */
  parentEnv?: NodeJS.ProcessEnv;
  /** Time the runner gets beyond the job's own limit before it is killed. */
  graceSeconds?: number;
  /** Where dispatch records are kept; `runner-dispatch/` beside the work root by default. */
  dispatchDir?: string;
}

/**
 * `COMPUTE=local`: runs `python3 -m sherpa_runner --job file://…` on the bot's host, as a trial or test
 * compute. There is one "instance", always running; nothing to start or stop.
 */
export class LocalCompute implements Compute {
  readonly kind = 'local' as const;
  readonly instanceIds = [LOCAL_INSTANCE_ID] as const;
  readonly hourlyPriceUsd = 0;
  readonly stoppable = false;
  private readonly processes = new Map<string, RunnerProcess>();
  /** Runners an earlier bot process started that this one adopted: command id → their dispatch record. */
  private readonly adopted = new Map<string, { pid: number; runId: string; commandId: string }>();
  private readonly dispatchDir: string;

  constructor(private readonly options: LocalComputeOptions) {
    this.dispatchDir = options.dispatchDir ?? join(dirname(options.workRoot), 'runner-dispatch');
  }

  async describe(): Promise<InstanceStatus[]> {
    return [{ instanceId: LOCAL_INSTANCE_ID, state: 'running' }];
  }

  async ensureReady(instanceId: string, onStep: OnReadyStep): Promise<{ startedByUs: boolean }> {
    await onStep({ step: 'ready', instanceId, startedByUs: false });
    return { startedByUs: false };
  }

  private environment(): NodeJS.ProcessEnv {
    const parent = this.options.parentEnv ?? process.env;
    const env: NodeJS.ProcessEnv = {};
    for (const name of INHERITED) if (parent[name] !== undefined) env[name] = parent[name];
    const runnerDir = this.options.runnerDir ?? DEFAULT_RUNNER_DIR;
    return { ...env, PYTHONPATH: runnerDir, PYTHONDONTWRITEBYTECODE: '1', ...this.options.env };
  }

  async startRun(instanceId: string, run: RunCommand): Promise<RunHandle> {
    await mkdir(this.options.workRoot, { recursive: true });
    const runnerDir = this.options.runnerDir ?? DEFAULT_RUNNER_DIR;
    const args = [
      '-m',
      'sherpa_runner',
      '--job',
      this.options.blobs.uriFor(run.jobKey),
      '--work-root',
      this.options.workRoot,
      ...(this.options.runnerArgs ?? []),
    ];
    const child = new RunnerProcess(this.options.python ?? 'python3', args, {
      cwd: runnerDir,
      env: this.environment(),
      timeoutMs: (run.timeoutSeconds + (this.options.graceSeconds ?? 300)) * 1000,
    });
    const commandId = `local-${run.runId}-${child.pid ?? 'nopid'}`;
    this.processes.set(commandId, child);
    if (child.pid !== undefined)
      await writeDispatchRecord(this.dispatchDir, run.dispatchKey, {
        commandId,
        runId: run.runId,
        pid: child.pid,
      });
    this.options.logger.info({ runId: run.runId, commandId }, 'runner started on this host');
    return { instanceId, commandId, runId: run.runId };
  }

  async findRun(
    instanceId: string,
    // `since` is not needed here: the record itself is keyed by the dispatch.
    lookup: { runId: string; dispatchKey: string; since: Date },
  ): Promise<RunHandle | undefined> {
    const record = await readDispatchRecord(this.dispatchDir, lookup.dispatchKey);
    if (!record || record.runId !== lookup.runId) return undefined;
    if (!this.processes.has(record.commandId)) this.adopted.set(record.commandId, record);
    return { instanceId, commandId: record.commandId, runId: record.runId };
  }

  async pollRun(handle: RunHandle): Promise<RunPoll> {
    const child = this.processes.get(handle.commandId);
    const adopted = this.adopted.get(handle.commandId);
    // Started by an earlier bot process and still going: its result will arrive through the blobs.
    if (!child && adopted && (await runnerAlive(adopted))) return { state: 'running' };
    // Started by an earlier bot process and gone: only the result it left (if any) tells how it ended.
    if (!child) {
      return {
        state: 'finished',
        outcome: 'lost',
        exitCode: null,
        detail: 'runner process not known to this bot process',
        stdout: '',
        stderr: '',
      };
    }
    const outcome = child.outcome;
    if (!outcome) return { state: 'running' };
    this.processes.delete(handle.commandId);
    const detail = outcome.timedOut
      ? 'killed at its time limit'
      : outcome.signal
        ? `killed by ${outcome.signal}`
        : `exited with ${outcome.exitCode}`;
    return {
      state: 'finished',
      outcome: outcome.timedOut ? 'timed_out' : outcome.exitCode === 0 ? 'success' : 'failed',
      exitCode: outcome.exitCode,
      detail,
      stdout: child.stdout,
      stderr: child.stderr,
    };
  }

  async cancelRun(handle: RunHandle): Promise<void> {
    this.processes.get(handle.commandId)?.kill();
    const adopted = this.adopted.get(handle.commandId);
    if (adopted && (await runnerAlive(adopted))) {
      try {
        // The runner leads its own process group (it was spawned detached).
        process.kill(-adopted.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  }

  readProgress(handle: RunHandle): Promise<RunnerProgress | undefined> {
    return readProgress(this.options.blobs, { runId: handle.runId, scope: this.storageScope() });
  }

  storageScope(): string {
    return LOCAL_INSTANCE_ID;
  }

  async stop(): Promise<void> {
    // The bot's own host is never stopped; idle stop skips compute that is not stoppable.
  }
}
