import { z } from 'zod';

/**
 * What the judge asks the model for: one verdict per paper key (P1, P2, …). The JSON Schema the model sees is
 * the same for every batch size (the key is a pattern, not an enum of this batch's keys), so the tool definition
 * is byte-identical across calls and stays in the prompt cache (issue 14, item 5). Which keys a batch must answer
 * is checked by a refinement that the JSON Schema does not carry: a reply that skips, repeats or invents a paper
 * is a schema break the adapter sends back for repair. Field order puts the rationale first: the model writes in
 * schema order, and scores read better after the reasoning. Output tokens cost five times input tokens, so the
 * texts are short, and the smallest experiment is asked only for papers that pass the profile's thresholds (the
 * only ones that go on to code generation).
 */
const VerdictItemSchema = z.object({
  paper: z.string().regex(/^P[1-9][0-9]*$/),
  rationale: z.string().min(1).describe('One sentence, at most 25 words.'),
  relevance: z.number().int().min(1).max(10),
  novelty: z.number().int().min(1).max(10),
  feasibilityReason: z.string().min(1).describe('At most 12 words.'),
  feasibility: z.enum(['yes', 'no', 'unclear']),
  smallestExperiment: z
    .string()
    .min(1)
    .optional()
    .describe('Only if the paper meets the thresholds; at most 40 words.'),
});

const VerdictListSchema = z.object({ verdicts: z.array(VerdictItemSchema).min(1) });

export function verdictReplySchema(keys: readonly [string, ...string[]]) {
  return VerdictListSchema.superRefine((reply, ctx) => {
    const seen = reply.verdicts.map((verdict) => verdict.paper);
    const missing = keys.filter((key) => !seen.includes(key));
    const repeated = seen.filter((key, index) => seen.indexOf(key) !== index);
    const unknown = seen.filter((key) => !keys.includes(key));
    if (missing.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['verdicts'],
        message: `missing verdicts for ${missing.join(', ')}`,
      });
    }
    if (repeated.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['verdicts'],
        message: `more than one verdict for ${repeated.join(', ')}`,
      });
    }
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['verdicts'],
        message: `verdicts for papers not in the message: ${unknown.join(', ')} (answer ${keys.join(', ')})`,
      });
    }
  });
}

export type VerdictReply = z.infer<ReturnType<typeof verdictReplySchema>>;
export type VerdictItem = VerdictReply['verdicts'][number];
