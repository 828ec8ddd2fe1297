import { z } from 'zod';

/**
 * What a search optimises (issue 13, item 2): one metric the script prints on its `METRICS:` lines, and
 * whether lower or higher is better. Every code version may declare one; a search takes it from there or
 * from `--metric name:min|max`.
 */
export const ObjectiveSchema = z.object({
  metric: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]{0,63}$/, 'a METRICS key: letters, digits, _ and .'),
  direction: z.enum(['min', 'max']),
});
export type Objective = z.infer<typeof ObjectiveSchema>;

/** `val_loss:min` → the objective, or undefined when the text is not of that form. */
export function parseObjective(text: string): Objective | undefined {
  const match = /^([^:\s]+):(min|max)$/.exec(text.trim());
  if (!match) return undefined;
  const parsed = ObjectiveSchema.safeParse({ metric: match[1], direction: match[2] });
  return parsed.success ? parsed.data : undefined;
}

export function formatObjective(objective: Objective): string {
  return `${objective.metric} ${objective.direction === 'min' ? '↓' : '↑'}`;
}

/** How much `candidate` is better than `reference` (positive = better), in the metric's own units. */
export function improvementOf(objective: Objective, candidate: number, reference: number): number {
  return objective.direction === 'min' ? reference - candidate : candidate - reference;
}

/** The best of some values by the objective, or undefined when there are none. */
export function bestValue(objective: Objective, values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  return objective.direction === 'min' ? Math.min(...values) : Math.max(...values);
}
