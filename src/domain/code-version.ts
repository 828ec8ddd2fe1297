import { z } from 'zod';

/** One generated training script. Stored in the blob store by content hash; each regeneration is a new version. */
export const CodeVersionSchema = z.object({
  hash: z.string(),
  blobKey: z.string(),
  version: z.number().int().min(1),
  plan: z.string(),
  checks: z.array(z.object({ name: z.string(), passed: z.boolean(), detail: z.string().optional() })),
  /** Why this version exists: first generation, feedback text, or a fix for a failed run. */
  reason: z.string(),
  usedPdf: z.boolean(),
  createdAt: z.string(),
  /** The backend the code is written for (issue 12, item 5); absent: `neuron`, as every version before it. */
  backend: z.enum(['neuron', 'cuda']).optional(),
});
export type CodeVersion = z.infer<typeof CodeVersionSchema>;
