/**
 * GPU benchmark, issue 12: a checkpointing script through the runner on CUDA, interrupted mid-run by a spot
 * notice (a loopback IMDSv2 fake, found by the runner through AWS_EC2_METADATA_SERVICE_ENDPOINT as on EC2),
 * then resumed from the checkpoint the runner synced. Reports the work lost (steps the first attempt did past
 * the checkpoint the second resumed from) and the resume overhead (both attempts against one uninterrupted
 * run, code time and runner wall time). Every result is parsed with the zod contract; the resumed series must
 * continue at the checkpointed step + 1, so a broken resume cannot pass as a cheap one.
 *
 * Called by `npm run bench:gpu` (bench/gpu-runner-overhead.ts) after the overhead figures. Knobs:
 * BENCH_SPOT_SCRIPT (trainium-runner/examples/train_checkpointed.py), BENCH_SPOT_INTERRUPT_AFTER (seconds after
 * the first synced checkpoint, default 2), BENCH_SPOT_SYNC_SECONDS (3: on an H100 the example finishes in about
 * 35 s, so a 30 s sync and a 20 s wait let it succeed before the notice), BENCH_SPOT_NOTICE_SECONDS (120, as EC2),
 * BENCH_SPOT_POLL_SECONDS (1). With BENCH_BACKEND=cpu the same path runs without a GPU (plumbing only).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RunnerJobSchema, RunnerResultSchema, type RunnerResult } from '../../src/domain/runner-contract.js';
import { startImdsFake, type ImdsFake } from '../../test/support/imds-fake.js';

export interface SpotResumeFigures {
  device: string;
  lostSteps: number;
  interruptedAtStep: number;
  resumedFromStep: number;
  stopSeconds?: number;
  checkpointBytes?: number;
  uninterrupted: { codeSeconds: number; wallSeconds: number };
  interruptedPlusResumed: { codeSeconds: number; wallSeconds: number };
  resumeOverheadSeconds: { code: number; wall: number };
}

interface Attempt {
  result: RunnerResult;
  wallSeconds: number;
}

type Spawner = (
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
) => Promise<{ seconds: number; code: number | null; output: string }>;

function steps(result: RunnerResult): number[] {
  return (result.metrics.series.loss ?? []).map((point) => point.step);
}

export async function runSpotResume(
  python: string,
  runnerDir: string,
  workDir: string,
  spawner: Spawner,
  backend: 'cuda' | 'cpu' = 'cuda',
): Promise<SpotResumeFigures> {
  const script = resolve(
    process.env.BENCH_SPOT_SCRIPT ?? join(runnerDir, 'examples', 'train_checkpointed.py'),
  );
  const interruptAfter = Number(process.env.BENCH_SPOT_INTERRUPT_AFTER ?? 2);
  const syncSeconds = Number(process.env.BENCH_SPOT_SYNC_SECONDS ?? 3);
  const noticeSeconds = Number(process.env.BENCH_SPOT_NOTICE_SECONDS ?? 120);
  const imds: ImdsFake = await startImdsFake({
    'instance-id': 'i-0benchspot000001',
    'instance-type': 'g5.xlarge',
    'instance-life-cycle': 'spot',
  });

  async function attempt(name: string, extra: Record<string, unknown>): Promise<Attempt> {
    const resultsDir = join(workDir, `spot-${name}`);
    const job = RunnerJobSchema.parse({
      schemaVersion: 1,
      runId: `bench-spot-${Date.now().toString(36)}-${name}`,
      paperId: 'bench',
      codeHash: 'bench',
      codeUri: pathToFileURL(script).href,
      resultsUri: `${pathToFileURL(resultsDir).href}/`,
      backend,
      timeoutSeconds: 3600,
      checkpointSyncSeconds: syncSeconds,
      ...extra,
    });
    const jobPath = join(workDir, `spot-job-${name}.json`);
    await writeFile(jobPath, JSON.stringify(job));
    const env = {
      ...process.env,
      PYTHONPATH: runnerDir,
      AWS_EC2_METADATA_DISABLED: '',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
      SHERPA_SPOT_POLL_SECONDS: process.env.BENCH_SPOT_POLL_SECONDS ?? '1',
    };
    const args = ['-m', 'sherpa_runner', '--job', pathToFileURL(jobPath).href];
    if (process.env.BENCH_NETWORK) args.push('--network', process.env.BENCH_NETWORK);
    const timed = await spawner(python, args, env, runnerDir);
    if (timed.code !== 0) throw new Error(`runner exited ${timed.code}:\n${timed.output}`);
    const result = RunnerResultSchema.parse(
      JSON.parse(await readFile(join(resultsDir, 'result.json'), 'utf8')),
    );
    return { result, wallSeconds: timed.seconds };
  }

  try {
    const whole = await attempt('uninterrupted', {});
    if (whole.result.status !== 'succeeded')
      throw new Error(`uninterrupted run: ${JSON.stringify(whole.result.failure)}`);

    // The notice comes `interruptAfter` seconds after the first periodic sync, with EC2's two minutes ahead.
    const manifest = join(workDir, 'spot-first', 'checkpoint', 'MANIFEST.json');
    let timer: NodeJS.Timeout | undefined;
    const watch = setInterval(() => {
      if (timer || !existsSync(manifest)) return;
      timer = setTimeout(() => imds.raiseInterruption(noticeSeconds), interruptAfter * 1000);
    }, 200);
    let first: Attempt;
    try {
      first = await attempt('first', {});
    } finally {
      clearInterval(watch);
      if (timer) clearTimeout(timer);
    }
    if (first.result.status !== 'interrupted') {
      throw new Error(
        `expected the first attempt interrupted, got ${first.result.status} (raise BENCH_SPOT_INTERRUPT_AFTER?)`,
      );
    }
    const checkpointUri = first.result.checkpoint?.uri;
    if (!checkpointUri) throw new Error('the interrupted attempt synced no checkpoint');
    imds.clearInterruption();
    const second = await attempt('second', { resumeFrom: { checkpointUri }, priorInterruptions: 1 });
    if (second.result.status !== 'succeeded')
      throw new Error(`resumed run: ${JSON.stringify(second.result.failure)}`);

    const firstSteps = steps(first.result);
    const secondSteps = steps(second.result);
    const interruptedAtStep = firstSteps[firstSteps.length - 1] ?? 0;
    const resumedFromStep = (secondSteps[0] ?? 1) - 1;
    const lastWhole = steps(whole.result).at(-1);
    if (secondSteps.at(-1) !== lastWhole)
      throw new Error(`resumed run ended at ${secondSteps.at(-1)}, not ${lastWhole}`);
    if (resumedFromStep > interruptedAtStep)
      throw new Error(`a gap: resumed at ${resumedFromStep + 1} after ${interruptedAtStep}`);
    const both = {
      codeSeconds: first.result.durationSeconds + second.result.durationSeconds,
      wallSeconds: first.wallSeconds + second.wallSeconds,
    };
    return {
      device: second.result.execution?.device?.name ?? 'unknown device',
      lostSteps: interruptedAtStep - resumedFromStep,
      interruptedAtStep,
      resumedFromStep,
      ...(typeof first.result.interruption?.stopSeconds === 'number'
        ? { stopSeconds: first.result.interruption.stopSeconds }
        : {}),
      ...(typeof first.result.checkpoint?.bytes === 'number'
        ? { checkpointBytes: first.result.checkpoint.bytes }
        : {}),
      uninterrupted: { codeSeconds: whole.result.durationSeconds, wallSeconds: whole.wallSeconds },
      interruptedPlusResumed: both,
      resumeOverheadSeconds: {
        code: both.codeSeconds - whole.result.durationSeconds,
        wall: both.wallSeconds - whole.wallSeconds,
      },
    };
  } finally {
    await imds.close();
  }
}

export function printSpotResume(figures: SpotResumeFigures): void {
  console.log(
    `gpu-spot-resume on ${figures.device}: interrupted by a spot notice, resumed from its checkpoint`,
  );
  console.log(
    `  interrupted at step ${figures.interruptedAtStep}, resumed from step ${figures.resumedFromStep}: ${figures.lostSteps} steps of work lost`,
  );
  if (figures.stopSeconds !== undefined)
    console.log(`  SIGTERM to exit: ${figures.stopSeconds.toFixed(2)} s`);
  if (figures.checkpointBytes !== undefined)
    console.log(`  checkpoint synced: ${(figures.checkpointBytes / 2 ** 20).toFixed(1)} MiB`);
  console.log(
    `  uninterrupted: code ${figures.uninterrupted.codeSeconds.toFixed(1)} s, runner ${figures.uninterrupted.wallSeconds.toFixed(1)} s`,
  );
  console.log(
    `  interrupted + resumed: code ${figures.interruptedPlusResumed.codeSeconds.toFixed(1)} s, runner ${figures.interruptedPlusResumed.wallSeconds.toFixed(1)} s`,
  );
  console.log(
    `  resume overhead: code ${figures.resumeOverheadSeconds.code.toFixed(1)} s, runner ${figures.resumeOverheadSeconds.wall.toFixed(1)} s`,
  );
}
