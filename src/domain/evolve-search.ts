import { z } from 'zod';
import { ObjectiveSchema } from './objective.js';
import { SEARCH_STATES } from './evolve-search-state.js';

/** The diversity mix of a generation (issue 13, item 3), plus the parent's own re-run beside its children. */
export const VARIANT_LABELS = ['conservative', 'moderate', 'aggressive', 'crossover'] as const;
export const VariantLabelSchema = z.enum(VARIANT_LABELS);
export type VariantLabel = z.infer<typeof VariantLabelSchema>;

/**
 * One start of the runner for a variant. Written before the command is sent (`dispatch`) and after
 * (`commandId`), like a paper's run record, so a resumed worker adopts the command instead of sending another.
 */
export const VariantRunSchema = z.object({
  runId: z.string(),
  dispatchKey: z.string().optional(),
  instanceId: z.string().optional(),
  commandId: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  seconds: z.number().nonnegative().optional(),
  outcome: z.enum(['succeeded', 'failed']).optional(),
});
export type VariantRun = z.infer<typeof VariantRunSchema>;

export const VARIANT_STATUSES = ['proposed', 'dropped', 'smoke', 'running', 'succeeded', 'failed'] as const;

export const VariantSchema = z.object({
  /** `<search id>.g<k>.v<i>`; the parent's re-run is `.p<j>`. */
  id: z.string(),
  generation: z.number().int().min(0),
  role: z.enum(['child', 'parent']),
  label: z.union([VariantLabelSchema, z.literal('parent')]),
  strategy: z.string(),
  parentHash: z.string(),
  /** The applied code's sha256 (content-addressed blob `code/<hash>.py`); absent for a dropped diff. */
  codeHash: z.string().optional(),
  /** The unified diff against the parent, as the model wrote it (or as repaired). */
  diff: z.string().optional(),
  repaired: z.boolean().default(false),
  status: z.enum(VARIANT_STATUSES),
  /** Why a diff was dropped (did not apply, or failed a check after its repair). */
  dropReason: z.string().optional(),
  /**
   * A separate smoke run: only in searches stored before the smoke gate (followed to its end when one was
   * sent, never started any more). A child's smoke stage is now the first seconds of its one run (`gate`).
   */
  smoke: VariantRunSchema.optional(),
  run: VariantRunSchema.optional(),
  /**
   * The smoke gate of a child's run (issue 13, item 3), from its result: passed (the objective appeared within
   * the window, after `afterSeconds` of the code) or failed (stopped at the window, `no_objective`, or the code
   * ended before it with its own class). Absent for the parent's runs and for runs that left no result.
   */
  gate: z.object({ passed: z.boolean(), afterSeconds: z.number().nonnegative().optional() }).optional(),
  metric: z.number().optional(),
  /** `no_objective` when it ran but never printed the objective; otherwise the runner's failure class. */
  failureClass: z.string().optional(),
  costUsd: z.number().nonnegative().default(0),
});
export type Variant = z.infer<typeof VariantSchema>;

export const SearchSettingsSchema = z.object({
  variants: z.number().int().min(1).max(16),
  generations: z.number().int().min(1).max(20),
  /** The full run's budget per variant, the same for every variant of a search. */
  minutes: z.number().positive().max(240),
  /**
   * The smoke stage's "few steps": a child's run is stopped unless it reports the objective within this plus
   * the backend's first-compile allowance (`smokeGateSeconds`, src/evolve/variant-job.ts).
   */
  smokeSeconds: z.number().int().positive(),
  maxUsd: z.number().positive(),
  objective: ObjectiveSchema,
  target: z.enum(['neuron', 'cuda']),
  /** The same seed for every variant of every generation (fair comparison, item 4). */
  seed: z.number().int().nonnegative(),
  /** Runs of the original before generation 1 (k), so the noise is known before any child is judged. */
  startRepeats: z.number().int().min(0).max(5),
});
export type SearchSettings = z.infer<typeof SearchSettingsSchema>;

export const GenerationRecordSchema = z.object({
  generation: z.number().int().min(1),
  /** Written just before the proposal call: found without `proposedAt`, a worker died around the call. */
  callStartedAt: z.string().optional(),
  /** How many times the call was begun: more than 1 is shown in the thread (exactly once, or visibly not). */
  callAttempts: z.number().int().nonnegative().optional(),
  /** Set with the variants, in the same write: a resumed worker never makes the call again. */
  proposedAt: z.string().optional(),
  llmCalls: z.number().int().nonnegative().default(0),
  inputTokens: z.number().int().nonnegative().default(0),
  outputTokens: z.number().int().nonnegative().default(0),
  llmUsd: z.number().nonnegative().default(0),
  /** The judgement: the parent the next generation starts from, and why. */
  judged: z
    .object({
      parentHash: z.string(),
      replaced: z.boolean(),
      noise: z.number().nonnegative(),
      best: z.number().optional(),
      parentMean: z.number().optional(),
    })
    .optional(),
});
export type GenerationRecord = z.infer<typeof GenerationRecordSchema>;

/**
 * One file the search puts in its thread (a plot, the best code, the TSV), keyed by its file name, which carries
 * the search id (and the generation): the intent is written before `files.uploadV2`, the outcome after, so a
 * crash in between is settled by looking for the file in the thread, never by uploading blind (issue 13,
 * exactly once or visibly not).
 */
export const ThreadFileSchema = z.object({
  /** When the latest upload began. */
  uploadingSince: z.string(),
  /** Who began it (random, per attempt): of two that begin at once, exactly one sees its own and uploads. */
  attemptId: z.string(),
  /** Uploads begun: more than one means an earlier one was looked for in the thread and was not there. */
  attempts: z.number().int().min(1),
  /** Set once the file is in the thread (the upload answered, or the file was found there after a crash). */
  uploadedAt: z.string().optional(),
  /** Slack's file id, when Slack named it. */
  fileId: z.string().optional(),
  /** Set when Sherpa could not tell whether an interrupted upload got there, and said so in the thread. */
  unprovenAt: z.string().optional(),
});
export type ThreadFile = z.infer<typeof ThreadFileSchema>;

export const EvolveSearchSchema = z.object({
  id: z.string(),
  paperId: z.string(),
  version: z.number().int().min(1),
  state: z.enum(SEARCH_STATES),
  /** 0 until generation 1 is proposed. */
  generation: z.number().int().min(0),
  settings: SearchSettingsSchema,
  /** The code the search started from, and the run that made it a candidate (if it came from one). */
  origin: z.object({ codeHash: z.string(), runId: z.string().optional(), metric: z.number().optional() }),
  /** The current parent's code hash. */
  parentHash: z.string(),
  generations: z.array(GenerationRecordSchema).default([]),
  variants: z.array(VariantSchema).default([]),
  requestedBy: z.string(),
  confirmedBy: z.string().optional(),
  stop: z.object({ mode: z.enum(['after_in_flight', 'now']), by: z.string(), at: z.string() }).optional(),
  /** Why the search ended, in one sentence for the thread. */
  endReason: z.string().optional(),
  thread: z.object({ channel: z.string(), ts: z.string() }).optional(),
  leaderboardTs: z.string().optional(),
  /** The last generation whose plot was uploaded to the thread (recorded after the upload). */
  plottedGeneration: z.number().int().min(0).optional(),
  /** The final summary's ts, recorded with a compare-and-set (found by its metadata after a crash). */
  summaryTs: z.string().optional(),
  /** Set once the summary's files (the best code, the TSV) are up. */
  summaryFilesAt: z.string().optional(),
  /** Every file put in the thread, by file name (`src/evolve/upload-once.ts`). */
  threadFiles: z.record(z.string(), ThreadFileSchema).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type EvolveSearch = z.infer<typeof EvolveSearchSchema>;
