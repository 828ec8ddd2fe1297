import type { ModalView } from '../domain/block-kit.js';
import type { EvolveSearch } from '../domain/evolve-search.js';
import { formatObjective } from '../domain/objective.js';
import { VIEW_IDS } from './action-ids.js';
import type { PlanFigures } from './evolve-plan.js';
import { formatUsd } from './format-units.js';
import { MODAL_INPUT, type ModalMetadata } from './modal-metadata.js';
import { truncate } from './mrkdwn.js';

const NOTE_MAX = 500;

/**
 * The one confirmation of an evolve search (issue 13, item 1): what the approver agrees to spend, said again
 * where they agree to it, with an optional note for the thread. The figures are the plan's, as posted.
 */
export function evolveConfirmModal(input: {
  search: EvolveSearch;
  estimate: Pick<PlanFigures, 'runs' | 'instanceMinutes' | 'usd' | 'maxUsd'>;
  paperTitle: string;
  metadata: ModalMetadata;
}): ModalView {
  const { search, estimate } = input;
  const s = search.settings;
  const summary =
    `“${input.paperTitle}”: ${s.generations} generations × ${s.variants} variants of ${s.minutes} min, ` +
    `optimising ${formatObjective(s.objective)} on ${s.target}. ` +
    `${estimate.runs} runs, ≈${Math.round(estimate.instanceMinutes)} instance minutes, ≈${formatUsd(estimate.usd)}. ` +
    `Sherpa will not spend more than ${formatUsd(estimate.maxUsd)}: it stops before any generation that would pass the cap or today's budget.`;
  return {
    type: 'modal',
    callback_id: VIEW_IDS.evolveConfirm,
    private_metadata: JSON.stringify(input.metadata),
    title: { type: 'plain_text', text: 'Start evolve search' },
    submit: { type: 'plain_text', text: 'Start search' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'plain_text', text: truncate(summary, 2900) } },
      {
        type: 'input',
        block_id: MODAL_INPUT.note.blockId,
        optional: true,
        label: { type: 'plain_text', text: 'Note for the thread (optional)' },
        element: {
          type: 'plain_text_input',
          action_id: MODAL_INPUT.note.actionId,
          multiline: true,
          max_length: NOTE_MAX,
        },
      },
    ],
  };
}
