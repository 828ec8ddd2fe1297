import type { Logger } from '../logging/logger.js';
import type { Clock } from '../ports/clock.js';
import type { Compute, RunHandle, RunPoll } from '../ports/compute.js';
import type { Sleep } from '../ports/sleep.js';
import { isAlreadyStartedRefusal } from './already-started.js';
import type { RunnerProgress } from '../domain/runner-contract.js';

export type FinishedPoll = Extract<RunPoll, { state: 'finished' }>;

export interface WatchOptions {
  /** The longest gap between polls; the first polls come sooner (1 s, doubling) so short runs report fast. */
  pollMs: number;
  /** A command still pending after this never reached the instance (SSM's delivery timeout plus slack). */
  pendingLimitMs: number;
  /** Past this the command is cancelled: the runner's and SSM's own limits should have ended it long before. */
  hardLimitMs: number;
  onProgress: (state: 'pending' | 'running', progress: RunnerProgress | undefined) => Promise<void>;
  /**
   * Whether the run's result.json exists: how a run is followed after the runner refused to start it again
   * (`already-started.ts`), when only the first start's files say how it goes.
   */
  resultWritten: () => Promise<boolean>;
  /** The bot is shutting down: stop following (the command goes on; the next worker resumes it). */
  signal?: AbortSignal;
  /**
   * When the run is expected to end (a fixed-budget run: its budget), from the watch's start. From then on
   * polls come every FINISH_POLL_MS, not every `pollMs`: the instance sits leased and billed between the
   * run's end and the poll that sees it, which at 15 s is about 7 s per run (issue 13's evolve bench).
   */
  expectedEndMs?: number;
}

/** The gap between polls once a run is past its expected end. */
export const FINISH_POLL_MS = 2_000;

/** Thrown when a shutdown interrupts the watch; the run is not finished, only no longer followed here. */
export class WatchInterruptedError extends Error {
  constructor() {
    super('stopped following the run: the bot is shutting down');
    this.name = 'WatchInterruptedError';
  }
}

const MAX_POLL_ERRORS = 10;

function finished(outcome: FinishedPoll['outcome'], detail: string): FinishedPoll {
  return { state: 'finished', outcome, exitCode: null, detail, stdout: '', stderr: '' };
}

/** Poll the command and the runner's progress.json until the command ends. */
export async function watchRun(
  deps: { compute: Compute; clock: Clock; sleep: Sleep; logger: Logger },
  handle: RunHandle,
  options: WatchOptions,
): Promise<FinishedPoll> {
  const startedMs = deps.clock.now().getTime();
  let errors = 0;
  let interval = Math.min(1_000, options.pollMs);
  const nextInterval = () => {
    const current = interval;
    interval = Math.min(interval * 2, options.pollMs);
    const toEnd =
      options.expectedEndMs === undefined
        ? Infinity
        : startedMs + options.expectedEndMs - deps.clock.now().getTime();
    // Wake at the expected end rather than up to `pollMs` past it, then poll briskly.
    return toEnd <= 0 ? Math.min(current, FINISH_POLL_MS) : Math.min(current, Math.max(toEnd, 1));
  };
  // Set once the command turned out to be the runner's refusal of a second start (`already-started.ts`).
  let followingFirstStart = false;
  const firstStartPoll = async (): Promise<RunPoll> =>
    (await options.resultWritten())
      ? finished('success', "the run's first start wrote its result")
      : { state: 'running' };
  for (;;) {
    if (options.signal?.aborted) throw new WatchInterruptedError();
    let poll: RunPoll;
    try {
      poll = followingFirstStart ? await firstStartPoll() : await deps.compute.pollRun(handle);
      errors = 0;
    } catch (error) {
      errors += 1;
      if (errors >= MAX_POLL_ERRORS) throw error;
      deps.logger.warn({ err: error, runId: handle.runId, errors }, 'poll failed; trying again');
      await deps.sleep(nextInterval(), options.signal);
      continue;
    }
    if (poll.state === 'finished' && !followingFirstStart && isAlreadyStartedRefusal(poll, handle.runId)) {
      deps.logger.warn(
        { runId: handle.runId, commandId: handle.commandId },
        'the runner refused a second start of this run; following the first start through its files',
      );
      followingFirstStart = true;
      continue;
    }
    if (poll.state === 'finished') return poll;
    const elapsedMs = deps.clock.now().getTime() - startedMs;
    if (poll.state === 'pending' && elapsedMs > options.pendingLimitMs) {
      await deps.compute.cancelRun(handle).catch(() => undefined);
      return finished('undeliverable', 'the command never started on the instance');
    }
    if (elapsedMs > options.hardLimitMs) {
      // The refusal's command is over already; the first start's command is not this handle's to cancel.
      if (!followingFirstStart) await deps.compute.cancelRun(handle).catch(() => undefined);
      return finished('timed_out', 'the command outlived every time limit and was cancelled');
    }
    await options.onProgress(poll.state, await deps.compute.readProgress(handle));
    await deps.sleep(nextInterval(), options.signal);
  }
}
