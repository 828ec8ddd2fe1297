import type { RunPoll } from '../ports/compute.js';

/** The runner's exit code when the run id was already started on this instance (`run_marker.py`). */
export const EXIT_ALREADY_STARTED = 4;

/**
 * True when a finished command is the runner refusing to start `runId` a second time: exit 4 and its
 * `SHERPA_ALREADY_STARTED runId=<id>` line for this very run. The run is not over then: it goes on (or went on)
 * under its first start, which alone writes result.json, so the watch follows the run's files instead of
 * reporting this command's exit as the run's failure. Both the code and the line must match, so a training
 * script that happens to exit 4 or print the line is never mistaken for the refusal.
 */
export function isAlreadyStartedRefusal(poll: RunPoll, runId: string): boolean {
  if (poll.state !== 'finished' || poll.exitCode !== EXIT_ALREADY_STARTED) return false;
  const marker = `SHERPA_ALREADY_STARTED runId=${runId}`;
  return poll.stdout.split('\n').some((line) => line.trim() === marker);
}
