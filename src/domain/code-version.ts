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
  /** The accelerator this version is written for (issue 12); versions from before it are Trainium's. */
  backend: z.enum(['neuron', 'cuda']).optional(),
});
export type CodeVersion = z.infer<typeof CodeVersionSchema>;

/** A code version's backend; versions stored before backends existed were written for Trainium. */
export function codeBackendOf(version: Pick<CodeVersion, 'backend'>): 'neuron' | 'cuda' {
  return version.backend ?? 'neuron';
}
