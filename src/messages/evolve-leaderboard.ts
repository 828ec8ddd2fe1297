import { bestValue, formatObjective } from '../domain/objective.js';
import type { EvolveSearch } from '../domain/evolve-search.js';
import { EVOLVE_ACTION_IDS } from './evolve-actions.js';
import { formatUsd } from './format-units.js';
import type { MessageContent } from './message-content.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

const STATUS: Record<string, string> = {
  proposed: '⏳',
  smoke: '🔥',
  running: '▶️',
  succeeded: '✅',
  failed: '❌',
  dropped: '🚫',
};

/** One variant's row (`leaderboardRows` in src/evolve/leaderboard.ts builds them from the search). */
export interface LeaderboardRowView {
  generation: number;
  label: string;
  strategy: string;
  status: string;
  metric?: number;
  failureClass?: string;
  /** Failed within its smoke stage (the runner's gate, or a legacy smoke run): it cost seconds, not the budget. */
  failedAtGate?: boolean;
  costUsd: number;
  isParent: boolean;
}

/** Rows past this are summarised: a message stays well under Slack's limits at 10 variants × 5 generations. */
const MAX_ROWS = 40;

/**
 * The one leaderboard message of a search, updated in place (issue 13, item 6): generation, best so far, and
 * each variant's strategy, metric, status and cost. Strategies are the model's words: escaped.
 */
export function evolveLeaderboardMessage(
  search: EvolveSearch,
  rows: readonly LeaderboardRowView[],
): MessageContent {
  const { objective } = search.settings;
  const metrics = rows.flatMap((row) => (row.metric !== undefined ? [row.metric] : []));
  const best = bestValue(objective, metrics);
  const cost = rows.reduce((sum, row) => sum + row.costUsd, 0);
  const head =
    `🧬 *Evolve leaderboard* · generation ${search.generation} of ${search.settings.generations} · ${search.state}` +
    `\nObjective ${formatObjective(objective)} · best so far ${best === undefined ? '—' : best.toPrecision(4)} · run cost ${formatUsd(cost)}`;
  const shown = rows.slice(-MAX_ROWS);
  const lines = shown.map((row) => {
    const result =
      row.metric !== undefined
        ? `*${row.metric.toPrecision(4)}*`
        : row.failureClass
          ? `\`${row.failureClass}\`${row.failedAtGate ? ' at its smoke stage' : ''}`
          : '—';
    const who = row.isParent ? 'parent' : row.label;
    return `${STATUS[row.status] ?? '•'} g${row.generation} ${who}: ${escapeMrkdwn(truncate(row.strategy, 90))} → ${result} · ${formatUsd(row.costUsd)}`;
  });
  const live = !['finished', 'stopped', 'capped'].includes(search.state);
  return {
    text: `Evolve leaderboard: generation ${search.generation}, best ${best ?? '—'}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: head } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: truncate(
            [
              ...(rows.length > MAX_ROWS
                ? [`_${rows.length - MAX_ROWS} earlier rows in the TSV at the end_`]
                : []),
              ...lines,
            ].join('\n') || '_No variants yet._',
            2900,
          ),
        },
      },
      ...(live
        ? [
            {
              type: 'actions' as const,
              block_id: 'evolve_leaderboard_actions',
              elements: [
                {
                  type: 'button' as const,
                  action_id: EVOLVE_ACTION_IDS.stop,
                  text: { type: 'plain_text' as const, text: 'Stop' },
                  value: search.id,
                },
                {
                  type: 'button' as const,
                  action_id: EVOLVE_ACTION_IDS.stopNow,
                  style: 'danger' as const,
                  text: { type: 'plain_text' as const, text: 'Stop now' },
                  value: search.id,
                },
              ],
            },
          ]
        : []),
    ],
  };
}
