import { z } from 'zod';

/** Queue message bodies. Parsed with zod on receipt: a queue is a boundary too. */
export const JudgeJobSchema = z.object({ paperId: z.string() });
export type JudgeJob = z.infer<typeof JudgeJobSchema>;

export const CodegenJobSchema = z.object({
  paperId: z.string(),
  requestedBy: z.string(),
  /** Free text from "Regenerate with feedback", or the failure a fix round should address. */
  feedback: z.string().optional(),
  fixOfRunId: z.string().optional(),
  /** Port to GPU / Port to Trainium (issue 12, item 5): the backend the new version is written for. */
  backend: z.enum(['neuron', 'cuda']).optional(),
});
export type CodegenJob = z.infer<typeof CodegenJobSchema>;

export const RunJobSchema = z.object({
  paperId: z.string(),
  runId: z.string(),
  codeHash: z.string(),
  requestedBy: z.string(),
});
export type RunJob = z.infer<typeof RunJobSchema>;

/** An evolve search to drive (issue 13): one message per search, held while the search runs. */
export const EvolveJobSchema = z.object({ searchId: z.string(), paperId: z.string() });
export type EvolveJob = z.infer<typeof EvolveJobSchema>;
