import { z } from 'zod';
import type { LlmMessage } from '../ports/llm.js';
import { formatObjective } from '../domain/objective.js';
import { VariantLabelSchema, type EvolveSearch, type VariantLabel } from '../domain/evolve-search.js';

const ProposalSchema = z.object({
  label: VariantLabelSchema,
  strategy: z.string().min(3).max(200).describe('One line: what this variant changes and why.'),
  diff: z
    .string()
    .min(10)
    .describe('A unified diff against the parent train.py (--- a/train.py, +++ b/train.py, @@ hunks).'),
});
export type Proposal = z.infer<typeof ProposalSchema>;

/** The reply of a generation's call: exactly N variants, in the order of the labels asked for. */
export function variantsTool(labels: readonly VariantLabel[]) {
  return {
    name: 'record_variants',
    description: 'Record the variants of train.py for this generation, as unified diffs against the parent.',
    schema: z.object({
      variants: z
        .array(ProposalSchema)
        .length(labels.length)
        .refine((variants) => variants.every((v, i) => v.label === labels[i]), {
          message: `labels must be, in order: ${labels.join(', ')}`,
        }),
    }),
  };
}

/** The repair reply: new diffs for the variants that failed, by their index in the first reply. */
export const REPAIR_TOOL = {
  name: 'record_repairs',
  description: 'Record corrected diffs for the variants that did not apply or failed a check.',
  schema: z.object({
    repairs: z.array(
      z.object({
        index: z.number().int().min(0),
        diff: z.string().min(10).describe('The corrected unified diff against the parent train.py.'),
      }),
    ),
  }),
};

const LABEL_MEANING: Record<VariantLabel, string> = {
  conservative: 'conservative: move the learning rate or optimiser settings by 10–30 %',
  moderate: 'moderate: change depth, width, batch size, sequence length or the schedule',
  aggressive: 'aggressive: a radical combination of changes',
  crossover: 'crossover: combine the ideas of the two best variants so far (named in the leaderboard)',
};

const HARDWARE: Record<EvolveSearch['settings']['target'], string> = {
  neuron: 'AWS Trainium through torch_xla (Neuron): graph shapes that stay fixed compile once',
  cuda: 'an NVIDIA GPU through CUDA',
};

export interface ProposalContext {
  search: EvolveSearch;
  parentCode: string;
  labels: readonly VariantLabel[];
  leaderboard: string;
  profile: readonly string[];
  /** The two best earlier variants, for a crossover. */
  bestTwo: readonly { strategy: string; metric: number }[];
}

/**
 * One call per generation (issue 13, item 3): the parent, the leaderboard so far and the parent's profile, so
 * the model can aim at what limits the hardware and not only at hyper-parameters. The parent and the
 * leaderboard come from generated code and earlier runs: they are given as data, inside fences.
 */
export function proposalMessages(context: ProposalContext): LlmMessage[] {
  const { search, labels } = context;
  const minutes = search.settings.minutes;
  const text = [
    `Improve this training script's objective, ${formatObjective(search.settings.objective)}, within a fixed budget of ${minutes} minutes per run on the same hardware, seed and evaluation.`,
    `Every variant runs on ${HARDWARE[search.settings.target]}; keep the device rules of the system prompt for it.`,
    `Write ${labels.length} variants, in this order: ${labels.join(', ')}.`,
    'What each label means:',
    ...[...new Set(labels)].map((label) => `- ${LABEL_MEANING[label]}`),
    context.bestTwo.length === 2 && labels.includes('crossover')
      ? `The two best so far: (1) ${context.bestTwo[0]?.strategy} → ${context.bestTwo[0]?.metric}; (2) ${context.bestTwo[1]?.strategy} → ${context.bestTwo[1]?.metric}.`
      : '',
    'Rules for every variant: keep every rule of the system prompt; keep the seed, the evaluation and the METRICS keys; ' +
      `keep printing "${search.settings.objective.metric}" on the METRICS lines; keep reading the wall-clock budget from the environment. ` +
      'Give each variant as a unified diff against the parent below, with exact, unchanged context lines.',
    `Parent train.py:\n\`\`\`python\n${context.parentCode}\n\`\`\``,
    `Leaderboard so far:\n\`\`\`\n${context.leaderboard}\n\`\`\``,
    `Profile of the parent's last run:\n\`\`\`\n${context.profile.join('\n')}\n\`\`\``,
    'Call record_variants.',
  ]
    .filter(Boolean)
    .join('\n\n');
  return [{ role: 'user', content: [{ type: 'text', text }] }];
}

/** The repair turn: what went wrong with each failed diff, asked once, in the same conversation. */
export function repairMessages(
  first: LlmMessage[],
  proposals: readonly Proposal[],
  failures: readonly { index: number; reason: string }[],
): LlmMessage[] {
  const text = [
    'Some of your diffs could not be used:',
    ...failures.map(
      (failure) =>
        `- variant ${failure.index} (${proposals[failure.index]?.label ?? '?'}: ${proposals[failure.index]?.strategy ?? ''}): ${failure.reason}`,
    ),
    'Write a corrected unified diff against the same parent for each of them, keeping its strategy. Call record_repairs.',
  ].join('\n');
  return [
    ...first,
    {
      role: 'assistant',
      content: [{ type: 'text', text: JSON.stringify({ variants: proposals }).slice(0, 20_000) }],
    },
    { role: 'user', content: [{ type: 'text', text }] },
  ];
}
