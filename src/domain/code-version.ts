import { z } from 'zod';
import { ObjectiveSchema } from './objective.js';

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
  /** The metric an evolve search optimises (issue 13, item 2); absent on versions made before it was asked for. */
  objective: ObjectiveSchema.optional(),
  /** Set on a version adopted from an evolve search: the search and variant it came from. */
  evolvedFrom: z.object({ searchId: z.string(), variantId: z.string() }).optional(),
  createdAt: z.string(),
  /** The backend the code is written for (issue 12, item 5); absent: `neuron`, as every version before it. */
  backend: z.enum(['neuron', 'cuda']).optional(),
});
export type CodeVersion = z.infer<typeof CodeVersionSchema>;

/** A code version's backend; versions stored before backends existed were written for Trainium. */
export function codeBackendOf(version: Pick<CodeVersion, 'backend'>): 'neuron' | 'cuda' {
  return version.backend ?? 'neuron';
}
