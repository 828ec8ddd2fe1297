import { z } from 'zod';

/**
 * Trainium feasibility as one short enumeration: the verdict and, for "no", which of the reasons the system
 * prompt lists. The prompt used to ask for a prose reason that "names which"; naming it from a list is the same
 * information in 3 output tokens instead of 15, and `decide.ts` turns it back into words for the thread.
 */
export const TRAINIUM_ANSWERS = [
  'yes',
  'unclear',
  'no-custom-kernels',
  'no-gpu-only',
  'no-too-large',
  'no-dynamic-shapes',
  'no-sparse-ops',
] as const;
export type TrainiumAnswer = (typeof TRAINIUM_ANSWERS)[number];

/**
 * What the judge asks the model for: one verdict per paper key (P1, P2, …). The JSON Schema the model sees is
 * the same for every batch size (the key is a pattern, not an enum of this batch's keys), so the tool definition
 * is byte-identical across calls and stays cacheable (issue 14, item 5).
 *
 * Output tokens cost five times input tokens, so prose is asked only where a person reads it: a paper that meets
 * the profile's thresholds opens a thread that shows its rationale and smallest experiment; a paper below them
 * gets scores and the Trainium answer only (its `/paper status` line explains the rejection from the scores, see
 * `decide.ts`). Both texts are optional in the schema: a rationale the model adds anyway is kept, and a passing
 * paper without one gets the explanation from its scores instead of a repair call.
 *
 * Which keys a batch must answer is checked in two ways. A reply that repeats or invents a paper key is a schema
 * break the adapter sends back for repair (the verdicts may be attributed to the wrong papers). A reply that
 * leaves papers out is accepted: `judge-batch.ts` stores the verdicts it has and judges each missing paper alone.
 */
const VerdictItemSchema = z.object({
  paper: z.string().regex(/^P[1-9][0-9]*$/),
  relevance: z.number().int().min(1).max(10),
  novelty: z.number().int().min(1).max(10),
  trainium: z.enum(TRAINIUM_ANSWERS),
  // When to write the texts and how long is said once, in the system prompt; a description here would add the
  // same words to every call's tool definition.
  rationale: z.string().min(1).optional(),
  smallestExperiment: z.string().min(1).optional(),
});

/** What the model is shown for every batch size (`StructuredRequest.tool.shownSchema`): the refinements below add no shape. */
export const VerdictListSchema = z.object({ verdicts: z.array(VerdictItemSchema).min(1) });

export function verdictReplySchema(keys: readonly [string, ...string[]]) {
  return VerdictListSchema.superRefine((reply, ctx) => {
    const seen = reply.verdicts.map((verdict) => verdict.paper);
    const repeated = [...new Set(seen.filter((key, index) => seen.indexOf(key) !== index))];
    const unknown = seen.filter((key) => !keys.includes(key));
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
