import { leaderboardRows } from '../domain/evolve-leaderboard.js';
import type { EvolveSearch } from '../domain/evolve-search.js';

/** Tabs and newlines inside a field would break the table: they become spaces. */
const cell = (value: string | number | undefined) =>
  value === undefined ? '' : String(value).replace(/[\t\r\n]+/g, ' ');

/** The full table of a search as a TSV file (issue 13, item 6), one row per variant, like the reference pipeline. */
export function resultsTsv(search: EvolveSearch): string {
  const header = [
    'variant',
    'generation',
    'label',
    'strategy',
    'status',
    search.settings.objective.metric,
    'failure',
    'code_hash',
    'usd',
  ];
  const byId = new Map(search.variants.map((v) => [v.id, v]));
  const rows = leaderboardRows(search).map((row) =>
    [
      row.variantId,
      row.generation,
      row.label,
      row.strategy,
      row.status,
      row.metric,
      row.failureClass,
      byId.get(row.variantId)?.codeHash,
      row.costUsd.toFixed(4),
    ]
      .map(cell)
      .join('\t'),
  );
  return `${[header.join('\t'), ...rows].join('\n')}\n`;
}
