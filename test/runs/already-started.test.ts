import { describe, expect, it } from 'vitest';
import type { RunPoll } from '../../src/ports/compute.js';
import { isAlreadyStartedRefusal } from '../../src/runs/already-started.js';

const finished = (exitCode: number | null, stdout: string): RunPoll => ({
  state: 'finished',
  outcome: 'failed',
  exitCode,
  detail: 'Failed',
  stdout,
  stderr: '',
});

describe('isAlreadyStartedRefusal', () => {
  it('is the runner refusing this run a second start only with exit 4 and the line for this run', () => {
    const line = 'booting\nSHERPA_ALREADY_STARTED runId=r_1\n';
    expect(isAlreadyStartedRefusal(finished(4, line), 'r_1')).toBe(true);
    // Another run's refusal, a script that exits 4 on its own, or the line with another exit code: a real ending.
    expect(isAlreadyStartedRefusal(finished(4, line), 'r_12')).toBe(false);
    expect(isAlreadyStartedRefusal(finished(4, 'SHERPA_ALREADY_STARTED runId=r_12\n'), 'r_1')).toBe(false);
    expect(isAlreadyStartedRefusal(finished(4, 'Traceback ...\n'), 'r_1')).toBe(false);
    expect(isAlreadyStartedRefusal(finished(1, line), 'r_1')).toBe(false);
    expect(isAlreadyStartedRefusal({ state: 'running' }, 'r_1')).toBe(false);
  });
});
