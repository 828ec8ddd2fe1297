import { formatObjective } from '../domain/objective.js';
import type { EvolveSearch, Variant } from '../domain/evolve-search.js';
import { EVOLVE_ACTION_IDS } from './evolve-actions.js';
import { formatUsd } from './format-units.js';
import type { MessageContent } from './message-content.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

const VERDICT: Record<string, string> = {
  real_improvement: '✅ a real improvement: better than the original by more than the run-to-run noise',
  within_noise: '〰️ within noise: the gain is no larger than the spread between repeats of one script',
  no_improvement: '➖ no variant beat the original by more than the noise; the original stays best',
};

/** The verdict against the noise (`finalVerdict` in src/evolve/noise-rule.ts). */
export type VerdictView =
  | { kind: 'no_improvement'; originMean?: number; noise: { value: number; known: boolean } }
  | {
      kind: 'real_improvement' | 'within_noise';
      best: number;
      originMean: number;
      noise: { value: number; known: boolean };
    };

/** Why it ended, escaped, except for the mention of who stopped it (`stopped by <@U…>`), which Slack renders. */
function endReasonText(reason: string | undefined): string {
  return escapeMrkdwn(reason ?? '').replace(/&lt;@([UW][A-Z0-9]{2,})&gt;/g, '<@$1>');
}

/**
 * The final summary (issue 13, item 6): why the search ended, the verdict against the noise, the lineage, the
 * total cost, the best variant's diff against the original, and Adopt as code version. The code and the full
 * table go up as files beside it.
 */
export function evolveSummaryMessage(
  search: EvolveSearch,
  input: { diff: string; totalUsd: number; verdict: VerdictView; lineage: readonly Variant[] },
): MessageContent {
  const { verdict, lineage } = input;
  const best = lineage.at(-1);
  const noise = verdict.noise.known ? verdict.noise.value.toPrecision(3) : 'not measured';
  const figures =
    verdict.kind === 'no_improvement'
      ? `original ${verdict.originMean?.toPrecision(4) ?? '—'}`
      : `${verdict.best.toPrecision(4)} vs the original's ${verdict.originMean.toPrecision(4)}`;
  const lines = [
    `🧬 *Evolve finished* (${search.state}): ${endReasonText(search.endReason)}`,
    `${VERDICT[verdict.kind]}`,
    `${formatObjective(search.settings.objective)}: ${figures} · noise ${noise} · total cost ${formatUsd(input.totalUsd)}`,
    `Lineage: original${lineage.map((v) => ` → g${v.generation} ${v.label} (${escapeMrkdwn(truncate(v.strategy, 60))})`).join('')}`,
  ];
  const blocks: MessageContent['blocks'] = [
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
  ];
  if (best) {
    blocks.push(
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `\`\`\`${truncate(input.diff.replace(/```/g, "'''"), 2800)}\`\`\`` },
      },
      {
        type: 'actions',
        block_id: 'evolve_summary_actions',
        elements: [
          {
            type: 'button',
            action_id: EVOLVE_ACTION_IDS.adopt,
            style: 'primary',
            text: { type: 'plain_text', text: 'Adopt as code version' },
            value: `${search.id}:${best.id}`,
          },
        ],
      },
    );
  }
  return { text: `Evolve finished: ${verdict.kind.replace(/_/g, ' ')}`, blocks };
}
