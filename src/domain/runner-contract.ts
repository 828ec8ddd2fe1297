import { z } from 'zod';
import { ObjectiveSchema } from './objective.js';

/**
 * The contract between the bot and `trainium-runner/` (Python). The bot writes `job.json`; the runner writes
 * `progress.json` every 30 s and `result.json` at the end, under the job's `resultsUri`. Python mirrors these
 * shapes in `trainium-runner/sherpa_runner/contract.py`; a test checks both agree on the recorded example.
 */
export const RunnerBackendSchema = z.enum(['neuron', 'cuda', 'cpu']);
export type RunnerBackend = z.infer<typeof RunnerBackendSchema>;

export const RunnerJobSchema = z.object({
  schemaVersion: z.literal(1),
  runId: z.string(),
  paperId: z.string(),
  /** When this is a sha256 hex digest (optionally `sha256:`-prefixed) of the code file, the runner verifies it. */
  codeHash: z.string(),
  /** `file:///…/train.py` or `s3://bucket/key`. */
  codeUri: z.string(),
  /** Prefix under which the runner writes result.json, progress.json and artifacts (`file:///dir/` or `s3://b/p/`). */
  resultsUri: z.string(),
  backend: RunnerBackendSchema,
  timeoutSeconds: z.number().int().positive(),
  /** Per-stream cap on captured stdout/stderr (default 20 MB). */
  outputCapBytes: z
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  profile: z.boolean().default(true),
  /** Extra environment variables the code may see (names checked against the runner's allowlist). */
  env: z.record(z.string(), z.string()).default({}),
  /**
   * Issue 12, names agreed with the runner (trainium-runner/sherpa_runner/contract.py): the checkpoint an
   * earlier attempt synced, copied by the bot into this job's own folder (the only place the instance's role
   * may read), restored into SHERPA_CHECKPOINT_DIR before the code starts; and the earlier attempts' counts.
   */
  resumeFrom: z.object({ checkpointUri: z.string() }).optional(),
  checkpointSyncSeconds: z.number().int().positive().optional(),
  priorInterruptions: z.number().int().min(0).optional(),
  priorResumes: z.number().int().min(0).optional(),
  /**
   * Issue 13, item 5: the evolve search this run belongs to. Neuron runs of the same paper and key share one
   * compile cache that the runner owns (`<work root>/compile-cache/<sha256(paperId NUL key)>`, bind-mounted into
   * the run at a fixed path, `NEURON_COMPILE_CACHE_URL` set by the runner over any the job sets), never runs of
   * another key or paper; without a key a run compiles into its own cache (trainium-runner/README.md, "The
   * search's compile cache"). The runner refuses a job whose key breaks this pattern.
   */
  compileCacheKey: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
  /**
   * Issue 13, item 3: an evolve variant's smoke stage as the first seconds of its one run. The runner stops the
   * run (its whole PID namespace, as at its time limit) unless a METRICS line carrying `metric` (a number or
   * null) appears within `seconds` of the code's own time (from its start, the time a Neuron compiler process
   * of the run is alive left out), and reports `no_objective`; it records `execution.smokeGate`
   * (trainium-runner/README.md, "The smoke gate").
   */
  smokeGate: z
    .object({ seconds: z.number().int().positive(), metric: ObjectiveSchema.shape.metric })
    .optional(),
});
export type RunnerJob = z.infer<typeof RunnerJobSchema>;

export const RunnerPhaseSchema = z.enum(['fetching', 'running', 'profiling', 'uploading', 'done']);

export const RunnerProgressSchema = z.object({
  runId: z.string(),
  phase: RunnerPhaseSchema,
  elapsedSeconds: z.number(),
  lastLogLine: z.string().optional(),
  updatedAt: z.string(),
});
export type RunnerProgress = z.infer<typeof RunnerProgressSchema>;

export const MetricPointSchema = z.object({ step: z.number(), value: z.number() });

export const MetricSummarySchema = z.object({
  first: z.number(),
  last: z.number(),
  best: z.number(),
  /** `min` for losses and errors, `max` for accuracies and throughputs. */
  goal: z.enum(['min', 'max']),
  points: z.number().int(),
});

export const FailureClassSchema = z.enum([
  'compiler_error',
  'neuroncore_unavailable',
  'out_of_memory',
  'timeout',
  'python_exception',
  'nonzero_exit',
  'fetch_failed',
  'runner_error',
  /** Stopped by the job's smoke gate: no METRICS line carrying the objective within its window (issue 13). */
  'no_objective',
]);
export type FailureClass = z.infer<typeof FailureClassSchema>;

/** Neuron summary-json normalised: percentages 0–100, times in seconds, missing keys left out (aws.md §4). */
export const NeuronProfileSchema = z.object({
  totalTimeSeconds: z.number().optional(),
  mfuPercent: z.number().optional(),
  tensorEnginePercent: z.number().optional(),
  vectorEnginePercent: z.number().optional(),
  scalarEnginePercent: z.number().optional(),
  gpsimdEnginePercent: z.number().optional(),
  hbmReadBytes: z.number().optional(),
  hbmWriteBytes: z.number().optional(),
  dmaActivePercent: z.number().optional(),
  /** Every numeric key of the raw summary, for the artifacts link and later analysis. */
  raw: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
});
export type NeuronProfile = z.infer<typeof NeuronProfileSchema>;

export const TorchProfileSchema = z.object({
  topOperators: z.array(
    z.object({ name: z.string(), selfTimeMs: z.number(), totalTimeMs: z.number(), calls: z.number().int() }),
  ),
  device: z.string().optional(),
  /** torch.cuda.max_memory_allocated over the visible GPUs, when the wrapper could read it (issue 12). */
  peakMemoryBytes: z.number().nonnegative().optional(),
});

/**
 * Execution info (issue 12, item 6), measured by the runner outside the sandbox where it can be
 * (trainium-runner/sherpa_runner/execution_info.py). Every field is optional: a runner that cannot know one
 * (no IMDS off EC2, no GPU, a backend without a compiler) leaves it out, and older results have none.
 */
export const ExecutionInfoSchema = z
  .object({
    /** The whole runner's wall time (fetch, run, profile, upload); the code's own is `durationSeconds`. */
    wallSeconds: z.number().nonnegative().optional(),
    /** Neuron only: compile time read from the run's own compile cache. */
    compileSeconds: z.number().nonnegative().optional(),
    /** From METRICS (`tokens_per_sec`, `samples_per_sec`, …) when printed, else the runner's steps/s. */
    throughput: z
      .object({
        value: z.number(),
        unit: z.string(),
        source: z.enum(['metrics', 'runner']).optional(),
        metric: z.string().optional(),
      })
      .optional(),
    /** The run's cgroup high-water mark (contained), or the largest child's RSS (unconfined). */
    peakHostMemoryBytes: z.number().nonnegative().optional(),
    /** CUDA: torch.cuda.max_memory_allocated summed over the visible GPUs (from the profiling wrapper). */
    peakDeviceMemoryBytes: z.number().nonnegative().optional(),
    device: z.object({ name: z.string(), count: z.number().int().nonnegative() }).optional(),
    /** From the instance metadata service; `market` from its `instance-life-cycle`. */
    instance: z
      .object({
        id: z.string().optional(),
        type: z.string().optional(),
        amiId: z.string().optional(),
        market: z.string().optional(),
      })
      .optional(),
    runnerVersion: z.string().optional(),
    /** This run's interruptions and resumes so far, this attempt included. */
    interruptions: z.number().int().nonnegative().optional(),
    resumes: z.number().int().nonnegative().optional(),
    rebalanceRecommendedAt: z.string().optional(),
    /** Neuron: the compile cache the run used, its search's shared one or its own (busy, unusable or no key). */
    compileCache: z.enum(['search', 'run']).optional(),
    /** The job's smoke gate (issue 13): its window, and after how many seconds of the code the objective came. */
    smokeGate: z
      .object({
        seconds: z.number().int().positive(),
        metric: z.string(),
        passed: z.boolean(),
        passedAfterSeconds: z.number().nonnegative().optional(),
        /** Seconds a Neuron compiler process of the run ran before the verdict: not counted in the window. */
        compilerSeconds: z.number().nonnegative().optional(),
      })
      .optional(),
  })
  .passthrough();
export type ExecutionInfo = z.infer<typeof ExecutionInfoSchema>;

export const RunnerResultSchema = z.object({
  schemaVersion: z.literal(1),
  runId: z.string(),
  /** `interrupted`: a spot notice stopped the code; its checkpoint was synced to `checkpoint.uri` (issue 12). */
  status: z.enum(['succeeded', 'failed', 'interrupted']),
  backend: RunnerBackendSchema,
  exitCode: z.number().int().nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** The code's own wall time; fetching, profiling and uploading are outside it (see startedAt/finishedAt). */
  durationSeconds: z.number(),
  metrics: z.object({
    series: z.record(z.string(), z.array(MetricPointSchema)),
    summary: z.record(z.string(), MetricSummarySchema),
    /** Present when the runner's cardinality caps cut something: names past the cap, thinned series. */
    limits: z
      .object({
        maxNames: z.number().int(),
        maxPointsPerSeries: z.number().int(),
        droppedNames: z.array(z.string()),
        decimatedSeries: z.array(z.string()),
      })
      .optional(),
  }),
  profile: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('neuron'), summary: NeuronProfileSchema }),
    z.object({ kind: z.literal('torch'), summary: TorchProfileSchema }),
    z.object({ kind: z.literal('none'), reason: z.string() }),
  ]),
  failure: z
    .object({ class: FailureClassSchema, message: z.string(), code: z.string().optional() })
    .nullable(),
  logTail: z.object({ stdout: z.array(z.string()), stderr: z.array(z.string()) }),
  truncated: z.object({ stdout: z.boolean(), stderr: z.boolean() }),
  /** Artifact names relative to `resultsUri`: `stdout.log`, `stderr.log`, `profile/…`. */
  artifacts: z.array(z.string()),
  /** The checkpoint the runner synced from SHERPA_CHECKPOINT_DIR (`<resultsUri>checkpoint/`). */
  checkpoint: z
    .object({ uri: z.string(), syncs: z.number().int().optional(), lastSyncedAt: z.string().optional() })
    .passthrough()
    .optional(),
  interruption: z
    .object({
      action: z.string(),
      noticeTime: z.string().optional(),
      stoppedWithinGrace: z.boolean().optional(),
    })
    .passthrough()
    .optional(),
  /** What the run ran on and how fast (issue 12, item 6); absent in results from before it. */
  execution: ExecutionInfoSchema.optional(),
  sandbox: z.object({
    user: z.string(),
    metadataBlocked: z.boolean(),
    envKeys: z.array(z.string()),
    /** Names in the job's `env` that the allowlist refused. */
    rejectedEnvKeys: z.array(z.string()).optional(),
    /** `kernel`: namespaces, cgroup and a uid of its own; `none`: `--unconfined` (trainium-runner/README.md). */
    containment: z.enum(['kernel', 'none']).optional(),
    /** `host`: the metadata block was verified; `none`: a network namespace with loopback only. */
    network: z.enum(['host', 'none']).optional(),
    /** The run's own uid, from the reserved range. */
    uid: z.number().int().optional(),
    limits: z
      .object({
        memoryBytes: z.number().int(),
        pidsMax: z.number().int(),
        tmpBytes: z.number().int(),
        shmBytes: z.number().int(),
        workBytes: z.number().int(),
      })
      .optional(),
  }),
});
export type RunnerResult = z.infer<typeof RunnerResultSchema>;
