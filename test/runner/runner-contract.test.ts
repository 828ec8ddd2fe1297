import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RunnerProgressSchema, RunnerResultSchema } from '../../src/domain/runner-contract.js';
import { ROOT, openTempDir, runRunner, writeJob } from './runner-cli.js';

/**
 * The Python runner and the zod contract agree: jobs made with `RunnerJobSchema`, results and progress read
 * back with `RunnerResultSchema` / `RunnerProgressSchema` (contract.py mirrors the zod file by hand).
 */
describe('runner ⇄ runner-contract.ts', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function readResults(): Promise<{ result: unknown; progress: unknown }> {
    const results = join(dir, 'results');
    return {
      result: JSON.parse(await readFile(join(results, 'result.json'), 'utf8')),
      progress: JSON.parse(await readFile(join(results, 'progress.json'), 'utf8')),
    };
  }

  it('a successful run with capped metrics parses', async () => {
    dir = await openTempDir();
    const code = join(dir, 'train.py');
    const names = Array.from({ length: 40 }, (_, i) => `"m${i}": ${i}`).join(', ');
    await writeFile(
      code,
      [
        'for step in range(3):',
        `    print('METRICS: {"step": %d, "loss": %s, "accuracy": %s}' % (step, 2.0 - step * 0.5, step * 0.2))`,
        `print('METRICS: {${names}}')`,
      ].join('\n'),
    );
    await chmod(code, 0o644);
    const stdout = await runRunner(
      await writeJob(dir, { codeUri: pathToFileURL(code).href }),
      join(dir, 'work'),
    );
    expect(stdout).toContain('status=succeeded');
    const { result, progress } = await readResults();
    const parsed = RunnerResultSchema.parse(result);
    expect(parsed.status).toBe('succeeded');
    expect(parsed.metrics.summary.loss).toEqual({ first: 2, last: 1, best: 1, goal: 'min', points: 3 });
    expect(parsed.metrics.summary.accuracy?.goal).toBe('max');
    expect(parsed.metrics.limits?.droppedNames.length).toBe(10);
    expect(parsed.profile).toEqual({ kind: 'none', reason: 'the cpu backend has no profiler' });
    expect(parsed.artifacts).toEqual(['stderr.log', 'stdout.log']);
    expect(RunnerProgressSchema.parse(progress).phase).toBe('done');
    // As root (CI) the run is contained, with no network of its own; as an ordinary user it is unconfined.
    if (process.getuid?.() === 0) {
      expect(parsed.sandbox).toMatchObject({ containment: 'kernel', network: 'none', metadataBlocked: true });
      expect(parsed.sandbox.uid).toBeGreaterThanOrEqual(61000);
      expect(parsed.sandbox.limits?.pidsMax).toBeGreaterThan(0);
    } else {
      expect(parsed.sandbox).toMatchObject({ containment: 'none', metadataBlocked: false });
    }
  }, 60_000);

  it('a failed run with a Neuron profile from a fake neuron-profile parses', async () => {
    dir = await openTempDir();
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await chmod(bin, 0o755);
    // The fake tool runs inside the sandbox, where /tmp is a private tmpfs: a checkout under /tmp (as CI's may
    // be) is out of its sight, so the recorded summary it prints travels beside it.
    const summary = join(bin, 'neuron-summary.json');
    await copyFile(
      join(ROOT, 'test', 'fixtures', 'neuron', 'neuron-summary-trn1-trnblas-mp2-energy.json'),
      summary,
    );
    await chmod(summary, 0o644);
    const tool = join(bin, 'neuron-profile');
    await writeFile(
      tool,
      `#!/bin/sh\n[ "$1" = view ] || exit 2\necho 'level=info msg=start'\nprintf '{"n_1": '\ncat '${summary}'\necho '}'\n`,
    );
    await chmod(tool, 0o755);
    const code = join(dir, 'train.py');
    await writeFile(
      code,
      [
        'import os',
        'out = os.path.join(os.environ["NEURON_RT_INSPECT_OUTPUT_DIR"], "i-0abc_pid_1")',
        'os.makedirs(out)',
        'open(os.path.join(out, "neff_9.neff"), "w").write("n")',
        'open(os.path.join(out, "9_instid_0_vnc_0.ntff"), "w").write("t")',
        'raise RuntimeError("[NCC_EVRF001] Operator topk is not supported.")',
      ].join('\n'),
    );
    await chmod(code, 0o644);
    const jobUri = await writeJob(dir, { codeUri: pathToFileURL(code).href, backend: 'neuron' });
    await runRunner(jobUri, join(dir, 'work'), { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` });
    const parsed = RunnerResultSchema.parse((await readResults()).result);
    expect(parsed.status).toBe('failed');
    expect(parsed.failure).toMatchObject({ class: 'compiler_error', code: 'NCC_EVRF001' });
    expect(parsed.profile.kind).toBe('neuron');
    if (parsed.profile.kind === 'neuron') {
      expect(parsed.profile.summary.vectorEnginePercent).toBeCloseTo(96.454, 3);
      expect(parsed.profile.summary.raw.instance_type).toBe('trn1.2xlarge');
    }
    expect(parsed.artifacts).toContain('profile/neuron-summary.json');
  }, 60_000);

  it('a run stopped at its smoke gate parses, with the gate in its execution info (issue 13)', async () => {
    dir = await openTempDir();
    const code = join(dir, 'train.py');
    // Steps, but prints another key than the objective: the gate stops it after its one-second window.
    await writeFile(
      code,
      [
        'import time',
        `print('METRICS: {"step": 0, "loss": 1.0}', flush=True)`,
        'while True:',
        '    time.sleep(0.1)',
      ].join('\n'),
    );
    await chmod(code, 0o644);
    const jobUri = await writeJob(dir, {
      codeUri: pathToFileURL(code).href,
      smokeGate: { seconds: 1, metric: 'val_loss' },
    });
    expect(await runRunner(jobUri, join(dir, 'work'))).toContain('status=failed');
    const parsed = RunnerResultSchema.parse((await readResults()).result);
    expect(parsed.failure?.class).toBe('no_objective');
    expect(parsed.execution?.smokeGate).toEqual({ seconds: 1, metric: 'val_loss', passed: false });
    expect(parsed.durationSeconds).toBeLessThan(30);
  }, 60_000);
});
