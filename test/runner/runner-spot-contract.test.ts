import { existsSync } from 'node:fs';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RunnerResultSchema } from '../../src/domain/runner-contract.js';
import { executionLines } from '../../src/messages/execution-info.js';
import { startImdsFake, type ImdsFake } from '../support/imds-fake.js';
import { openTempDir, runRunner, writeJob } from './runner-cli.js';

const CHECKPOINTING = `
import os, signal, sys, time
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
path = os.path.join(os.environ["SHERPA_CHECKPOINT_DIR"], "state.json")
for step in range(1, 900):
    with open(path + ".tmp", "w") as out:
        out.write('{"step": %d}' % step)
    os.replace(path + ".tmp", path)
    print('METRICS: {"step": %d, "loss": %s}' % (step, 1.0 / step), flush=True)
    if stop:
        sys.exit(0)
    time.sleep(0.1)
`;

/** Issue 12: the runner's `interrupted` result (a spot notice mid-run) and its execution info parse with zod. */
describe('runner ⇄ runner-contract.ts, spot interruption', () => {
  let dir = '';
  let fake: ImdsFake | undefined;
  afterEach(async () => {
    await fake?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('an interrupted run parses with its checkpoint, interruption and execution info', async () => {
    dir = await openTempDir();
    const imds = await startImdsFake({
      'instance-id': 'i-0spot0vitest0001',
      'instance-type': 'g5.xlarge',
      'ami-id': 'ami-0dlbase0gpu',
      'instance-life-cycle': 'spot',
    });
    fake = imds;
    const code = join(dir, 'train.py');
    await writeFile(code, CHECKPOINTING);
    await chmod(code, 0o644);
    const manifest = join(dir, 'results', 'checkpoint', 'MANIFEST.json');
    // The notice comes once the periodic sync has kept a first checkpoint: mid-run.
    const watch = setInterval(() => {
      if (existsSync(manifest)) {
        imds.raiseInterruption(8);
        clearInterval(watch);
      }
    }, 50);
    try {
      const stdout = await runRunner(
        await writeJob(dir, { codeUri: pathToFileURL(code).href, checkpointSyncSeconds: 1 }),
        join(dir, 'work'),
        {
          ...process.env,
          AWS_EC2_METADATA_DISABLED: '',
          AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
          SHERPA_SPOT_POLL_SECONDS: '0.2',
          SHERPA_INTERRUPT_RESERVE_SECONDS: '1',
        },
      );
      expect(stdout).toContain('status=interrupted');
    } finally {
      clearInterval(watch);
    }
    const parsed = RunnerResultSchema.parse(
      JSON.parse(await readFile(join(dir, 'results', 'result.json'), 'utf8')),
    );
    expect(parsed.status).toBe('interrupted');
    expect(parsed.failure).toBeNull();
    expect(parsed.exitCode).toBe(0);
    expect(parsed.interruption).toMatchObject({ action: 'terminate', stoppedWithinGrace: true });
    expect(parsed.checkpoint?.uri).toBe(`${pathToFileURL(join(dir, 'results')).href}/checkpoint/`);
    expect(parsed.checkpoint?.syncs).toBeGreaterThanOrEqual(2);
    expect(parsed.execution).toMatchObject({
      interruptions: 1,
      resumes: 0,
      instance: { id: 'i-0spot0vitest0001', type: 'g5.xlarge', amiId: 'ami-0dlbase0gpu', market: 'spot' },
      throughput: { unit: 'steps/s', source: 'runner' },
    });
    expect(parsed.execution?.peakHostMemoryBytes).toBeGreaterThan(0);
    expect(parsed.execution?.wallSeconds).toBeGreaterThanOrEqual(parsed.durationSeconds);
    // What the thread shows of it.
    const lines = executionLines(parsed.execution);
    expect(lines[0]).toBe('*Ran on:* g5.xlarge (spot) · i-0spot0vitest0001');
    expect(lines[1]).toMatch(
      /^\*Execution:\* wall [^·]+ · \S+ steps\/s \(measured by the runner\) · peak host memory/,
    );
    expect(lines[2]).toMatch(/^1 interruption, 0 resumes · AMI ami-0dlbase0gpu · runner \d+\.\d+\.\d+$/);
  }, 90_000);
});
