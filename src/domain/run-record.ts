import { z } from 'zod';
import { ExecutionInfoSchema } from './runner-contract.js';

/** A run of one approved code version. One run per code hash; a re-run gets a new id for the same hash. */
export const RunRecordSchema = z.object({
  runId: z.string(),
  codeHash: z.string(),
  status: z.enum(['queued', 'starting', 'running', 'succeeded', 'failed']),
  instanceId: z.string().optional(),
  queuedAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  failureClass: z.string().optional(),
  /** Blob key of the runner's result.json. */
  resultKey: z.string().optional(),
  /** Headline metric for digests, e.g. `{ name: 'loss', value: 0.41 }`. */
  headline: z.object({ name: z.string(), value: z.number() }).optional(),
  progressTs: z.string().optional(),
  /** The SSM command (or local process) running it, so a resumed worker can find the run again. */
  commandId: z.string().optional(),
  /**
   * Written before the command is sent (issue 10): the idempotency key the command carries, the instance and
   * when, by whom. A worker that finds a marker without a `commandId` looks the command up by the key instead of
   * sending another.
   */
  dispatch: z
    .object({
      key: z.string(),
      instanceId: z.string(),
      at: z.string(),
      /** The instance lease holder that wrote it: a worker sends only while the marker is still its own. */
      holder: z.string(),
    })
    .optional(),
  /** Who approved it (shown on the progress message). */
  requestedBy: z.string().optional(),
  /**
   * Issue 12: the attempt now under way (absent: 1). An attempt ends when its instance is lost (a spot
   * interruption, an instance gone); the next one resumes from the checkpoint the last one synced. Each
   * attempt has its own files (`runs/run-attempt.ts`) and dispatch keys, so no attempt ever runs twice.
   */
  attempt: z.number().int().min(1).optional(),
  /** The pool and market the current attempt was placed on. */
  pool: z.string().optional(),
  market: z.enum(['spot', 'on-demand']).optional(),
  /** What to resume from, set when an attempt ended early and the run went back to the queue. */
  resume: z
    .object({
      /** Blob prefix of the checkpoint the previous attempt synced (absent: none was synced; start over). */
      checkpointPrefix: z.string().optional(),
      /** After a spot interruption on a `spot-then-on-demand` pool: on-demand only. */
      onDemandOnly: z.boolean(),
      /** The instances earlier attempts lost: never placed on again. */
      avoid: z.array(z.string()),
    })
    .optional(),
  interruptions: z.number().int().min(0).optional(),
  resumes: z.number().int().min(0).optional(),
  /** What the finished run ran on and how fast, from its result.json (issue 12, item 6). */
  execution: ExecutionInfoSchema.optional(),
  /** Lines the progress message keeps under its current stage: fall-throughs, interruptions, resumes. */
  story: z.array(z.string()).optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;
