import { z } from 'zod';

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
});
export type RunRecord = z.infer<typeof RunRecordSchema>;
