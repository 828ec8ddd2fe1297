import { formatObjective } from './objective.js';
import type { EvolveSearch, Variant } from './evolve-search.js';

export interface LeaderboardRow {
  variantId: string;
  generation: number;
  label: Variant['label'];
  strategy: string;
  status: Variant['status'];
  metric?: number;
  failureClass?: string;
  /** Stopped at (or ended before passing) its smoke gate: a broken variant that cost seconds, not the budget. */
  failedAtGate?: boolean;
  costUsd: number;
  isParent: boolean;
}

/** Every variant so far, in the order it was proposed. */
export function leaderboardRows(search: EvolveSearch): LeaderboardRow[] {
  return search.variants.map((variant) => ({
    variantId: variant.id,
    generation: variant.generation,
    label: variant.label,
    strategy: variant.strategy,
    status: variant.status,
    ...(variant.metric !== undefined ? { metric: variant.metric } : {}),
    ...(variant.failureClass ? { failureClass: variant.failureClass } : {}),
    ...(variant.dropReason ? { failureClass: 'dropped' } : {}),
    ...(variant.gate?.passed === false || variant.smoke?.outcome === 'failed' ? { failedAtGate: true } : {}),
    costUsd: variant.costUsd,
    isParent: variant.role === 'parent',
  }));
}

/** The leaderboard as the model sees it: one line per earlier variant with its result or failure class. */
export function leaderboardForPrompt(search: EvolveSearch): string {
  const rows = leaderboardRows(search);
  if (rows.length === 0) return 'No variants have run yet; this is the first generation.';
  const header = `Objective: ${formatObjective(search.settings.objective)}. Earlier variants:`;
  return [
    header,
    ...rows.map((row) => {
      const outcome =
        row.metric !== undefined
          ? `${search.settings.objective.metric}=${row.metric}`
          : `failed (${row.failureClass ?? row.status}${row.failedAtGate ? ', at its smoke stage' : ''})`;
      return `- g${row.generation} ${row.label}: ${row.strategy.slice(0, 160)} → ${outcome}`;
    }),
  ].join('\n');
}
