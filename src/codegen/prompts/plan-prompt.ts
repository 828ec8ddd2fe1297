import { z } from 'zod';
import type { Paper } from '../../domain/paper.js';
import { ObjectiveSchema } from '../../domain/objective.js';
import type { LlmMessage } from '../../ports/llm.js';
import type { PaperDocument } from '../paper-document.js';
import { documentContent, paperSummary, regenerationText, type GenerationRequest } from './paper-context.js';

export const PlanSchema = z.object({
  idea: z.string().min(1).describe("The paper's central idea in one to three sentences."),
  experiment: z
    .string()
    .min(1)
    .describe('The smallest experiment that tests the idea, and what would count as support.'),
  details: z
    .string()
    .describe(
      'Everything the code step needs from the paper, since it will not see the PDF: equations, architecture, ' +
        'loss, algorithm steps, hyperparameters, baselines. Plain text, at most about 600 words.',
    ),
  model: z.string().min(1).describe('The model to build: layers, sizes, parameter count.'),
  data: z.object({
    kind: z.enum(['synthetic', 'generated', 'download']),
    description: z.string().min(1),
    url: z.string().optional().describe('Only for kind=download, from an allowed host.'),
  }),
  metrics: z.array(z.string().min(1)).min(1).max(8).describe('METRICS keys besides step and loss.'),
  // Optional in the schema only so plans recorded before issue 13 still parse; the description asks for it.
  objective: ObjectiveSchema.optional().describe(
    'Always give this: the one METRICS key that says how well the experiment went (e.g. val_loss, min; ' +
      'accuracy, max) and whether lower (min) or higher (max) is better. Evolve searches optimise it.',
  ),
  trainiumNotes: z
    .array(z.string())
    .max(6)
    .describe('Adjustments for XLA/Neuron: fixed shapes, dtypes, ops to avoid.'),
});
export type Plan = z.infer<typeof PlanSchema>;

export const PLAN_TOOL = {
  name: 'record_plan',
  description: 'Record the experiment plan for the training script.',
  schema: PlanSchema,
};

export function planMessages(
  paper: Paper,
  document: PaperDocument,
  request: GenerationRequest,
): LlmMessage[] {
  const source =
    document.kind === 'pdf'
      ? 'The paper is attached as a PDF.'
      : 'Only the abstract is available (the PDF could not be used); infer the method from it and keep the experiment modest.';
  const text = [
    'Plan a training script that tests this paper on Trainium.',
    source,
    paperSummary(paper),
    regenerationText(request),
    'Call record_plan.',
  ]
    .filter(Boolean)
    .join('\n\n');
  return [{ role: 'user', content: [...documentContent(document), { type: 'text', text }] }];
}

/** The plan in a few lines for the thread (and for the CodeVersion record). */
export function planSummaryLines(plan: Plan): string {
  const cut = (text: string) => (text.length > 220 ? `${text.slice(0, 219)}…` : text).replace(/\s+/g, ' ');
  return [
    `• Idea: ${cut(plan.idea)}`,
    `• Experiment: ${cut(plan.experiment)}`,
    `• Model: ${cut(plan.model)}`,
    `• Data (${plan.data.kind}): ${cut(plan.data.description)}`,
    `• Metrics: ${cut(['loss', ...plan.metrics.filter((m) => m !== 'loss')].join(', '))}`,
    ...(plan.objective
      ? [
          `• Objective: ${plan.objective.metric} (${plan.objective.direction === 'min' ? 'lower' : 'higher'} is better)`,
        ]
      : []),
  ].join('\n');
}
