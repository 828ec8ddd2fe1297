/**
 * GPU benchmark (issue 5, "Done when" b): the runner's overhead on a real training script.
 *
 * Runs `trainium-runner/examples/train_mlp.py` bare (`python3 train_mlp.py`) and through the runner
 * (`python3 -m sherpa_runner --job …`, backend `cuda`, torch.profiler on: kernel containment as root, i.e.
 * namespaces, cgroup and a uid of its own (trainium-runner/README.md), allowlisted environment, capped logs,
 * progress file, METRICS parsing, result.json), alternating the two, and prints the
 * median wall times and the overhead in percent (target ≤ 5 %). Every runner result is parsed with the zod
 * contract and must have succeeded with a torch profile, so a broken run cannot pass as a fast one.
 *
 * Needs an NVIDIA GPU and PyTorch (skips otherwise). `npm run bench:gpu`. Knobs: BENCH_REPETITIONS (5),
 * BENCH_PYTHON (python3), BENCH_SCRIPT, BENCH_BACKEND (cuda; `cpu` only to check the plumbing),
 * BENCH_NETWORK (the runner's `--network`, default `auto`), BENCH_JSON_OUT (write the figures as JSON).
 * The interpreter must be executable by any uid (the code runs as one of the sandbox range).
 *
 * Then (issue 12; BENCH_SPOT=0 skips it) a checkpointing script is interrupted by a spot notice through the
 * runner and resumed: lost work and resume overhead (bench/support/gpu-spot-resume.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RunnerJobSchema, RunnerResultSchema, type RunnerResult } from '../src/domain/runner-contract.js';
import { printSpotResume, runSpotResume, type SpotResumeFigures } from './support/gpu-spot-resume.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNNER_DIR = join(ROOT, 'trainium-runner');
// The runner refuses a run id it already started on this machine: each invocation's ids are its own.
const RUN_TAG = Date.now().toString(36);

interface Timed {
  seconds: number;
  code: number | null;
  output: string;
}

function timedSpawn(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Timed> {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', fail);
    child.on('close', (code) =>
      done({ seconds: Number(process.hrtime.bigint() - started) / 1e9, code, output }),
    );
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function gpuReady(python: string): Promise<boolean> {
  const probe = 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)';
  try {
    return (await timedSpawn(python, ['-c', probe], process.env, ROOT)).code === 0;
  } catch {
    return false;
  }
}

async function runThroughRunner(
  python: string,
  script: string,
  backend: 'cuda' | 'cpu',
  workDir: string,
  index: number,
): Promise<{ timed: Timed; result: RunnerResult }> {
  const resultsDir = join(workDir, `results-${index}`);
  const job = RunnerJobSchema.parse({
    schemaVersion: 1,
    runId: `bench-${RUN_TAG}-${index}`,
    paperId: 'bench',
    codeHash: 'bench',
    codeUri: pathToFileURL(script).href,
    resultsUri: `${pathToFileURL(resultsDir).href}/`,
    backend,
    timeoutSeconds: 1800,
  });
  const jobPath = join(workDir, `job-${index}.json`);
  await writeFile(jobPath, JSON.stringify(job));
  const args = ['-m', 'sherpa_runner', '--job', pathToFileURL(jobPath).href];
  if (process.env.BENCH_NETWORK) args.push('--network', process.env.BENCH_NETWORK);
  const env = { ...process.env, PYTHONPATH: RUNNER_DIR };
  const timed = await timedSpawn(python, args, env, RUNNER_DIR);
  if (timed.code !== 0) throw new Error(`runner exited ${timed.code}:\n${timed.output}`);
  const result = RunnerResultSchema.parse(
    JSON.parse(await readFile(join(resultsDir, 'result.json'), 'utf8')),
  );
  if (result.status !== 'succeeded') throw new Error(`run failed: ${JSON.stringify(result.failure)}`);
  if (backend === 'cuda' && result.profile.kind !== 'torch') {
    throw new Error(`expected a torch profile, got ${JSON.stringify(result.profile)}`);
  }
  return { timed, result };
}

export async function run(): Promise<void> {
  const python = process.env.BENCH_PYTHON ?? 'python3';
  const backend = process.env.BENCH_BACKEND === 'cpu' ? 'cpu' : 'cuda';
  const script = resolve(process.env.BENCH_SCRIPT ?? join(RUNNER_DIR, 'examples', 'train_mlp.py'));
  const repetitions = Number(process.env.BENCH_REPETITIONS ?? 5);
  if (backend === 'cuda' && !(await gpuReady(python))) {
    console.log(
      'gpu-runner-overhead and gpu-spot-resume: skipped (torch.cuda.is_available() is false for ' +
        `${python}: needs an NVIDIA GPU and PyTorch with CUDA; run \`npm run bench:gpu\` on one)`,
    );
    return;
  }
  const workDir = await mkdtemp(join(tmpdir(), 'sherpa-bench-'));
  try {
    // Warm-up, not counted: CUDA's kernel cache, the page cache, the sandbox user's creation.
    await timedSpawn(python, [script], process.env, RUNNER_DIR);
    await runThroughRunner(python, script, backend, workDir, 0);
    const bare: number[] = [];
    const wrapped: number[] = [];
    let last: RunnerResult | undefined;
    for (let index = 1; index <= repetitions; index += 1) {
      // Alternate the order so drift (clocks, thermals) falls on both sides.
      const order = index % 2 ? ['bare', 'runner'] : ['runner', 'bare'];
      for (const kind of order) {
        if (kind === 'bare') {
          const timed = await timedSpawn(python, [script], process.env, RUNNER_DIR);
          if (timed.code !== 0) throw new Error(`bare run exited ${timed.code}:\n${timed.output}`);
          bare.push(timed.seconds);
        } else {
          const { timed, result } = await runThroughRunner(python, script, backend, workDir, index);
          wrapped.push(timed.seconds);
          last = result;
        }
      }
    }
    const bareMedian = median(bare);
    const runnerMedian = median(wrapped);
    const overheadPercent = (runnerMedian / bareMedian - 1) * 100;
    const device = last?.profile.kind === 'torch' ? (last.profile.summary.device ?? 'unknown GPU') : backend;
    console.log(`gpu-runner-overhead on ${device}, ${repetitions} repetitions each (backend ${backend})`);
    console.log(`  bare:   median ${bareMedian.toFixed(3)} s  [${bare.map((s) => s.toFixed(2)).join(', ')}]`);
    console.log(
      `  runner: median ${runnerMedian.toFixed(3)} s  [${wrapped.map((s) => s.toFixed(2)).join(', ')}]`,
    );
    console.log(`  overhead: ${overheadPercent.toFixed(2)} % (target ≤ 5 %)`);
    if (last?.profile.kind === 'torch') {
      console.log('  top operators (device self time, profiled window):');
      for (const op of last.profile.summary.topOperators.slice(0, 5)) {
        console.log(`    ${op.name}: ${op.selfTimeMs.toFixed(2)} ms self, ${op.calls} calls`);
      }
    }
    if (last) {
      const summary = Object.entries(last.metrics.summary).map(([name, m]) => `${name} ${m.first}→${m.last}`);
      console.log(
        `  metrics: ${summary.join(', ')}; sandbox user ${last.sandbox.user}, containment ${last.sandbox.containment ?? 'unknown'}, network ${last.sandbox.network ?? 'unknown'}, IMDS blocked ${last.sandbox.metadataBlocked}`,
      );
    }
    let spot: SpotResumeFigures | undefined;
    if (process.env.BENCH_SPOT !== '0') {
      spot = await runSpotResume(python, RUNNER_DIR, workDir, timedSpawn, backend);
      printSpotResume(spot);
    }
    if (process.env.BENCH_JSON_OUT) {
      const figures = {
        spot,
        device,
        backend,
        repetitions,
        bare,
        runner: wrapped,
        bareMedian,
        runnerMedian,
        overheadPercent,
        last,
      };
      await writeFile(process.env.BENCH_JSON_OUT, JSON.stringify(figures, null, 2));
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
