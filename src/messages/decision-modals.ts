import type { ModalView } from '../domain/block-kit.js';
import { VIEW_IDS } from './action-ids.js';
import { MODAL_INPUT, type ModalMetadata } from './modal-metadata.js';
import { truncate } from './mrkdwn.js';

const REASON_MAX = 1000;
const FEEDBACK_MAX = 2000;

function metadata(value: ModalMetadata): string {
  return JSON.stringify(value);
}

/** Reject a paper or a code version: an optional reason, shown on the message and kept in the audit log. */
export function rejectModal(input: {
  kind: 'paper' | 'code';
  title: string;
  metadata: ModalMetadata;
}): ModalView {
  const what = input.kind === 'paper' ? 'paper' : 'code';
  return {
    type: 'modal',
    callback_id: input.kind === 'paper' ? VIEW_IDS.rejectReason : VIEW_IDS.rejectCodeReason,
    private_metadata: metadata(input.metadata),
    title: { type: 'plain_text', text: `Reject ${what}` },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: { type: 'plain_text', text: truncate(input.title, 2900) },
      },
      {
        type: 'input',
        block_id: MODAL_INPUT.reason.blockId,
        optional: true,
        label: { type: 'plain_text', text: 'Reason (optional)' },
        hint: { type: 'plain_text', text: 'Shown in the thread and kept in the audit log.' },
        element: {
          type: 'plain_text_input',
          action_id: MODAL_INPUT.reason.actionId,
          multiline: true,
          max_length: REASON_MAX,
        },
      },
    ],
  };
}

/** Regenerate with feedback: what Claude should change. Required, or there is nothing new to ask for. */
export function regenerateModal(input: {
  title: string;
  version: number;
  metadata: ModalMetadata;
}): ModalView {
  return {
    type: 'modal',
    callback_id: VIEW_IDS.regenerateFeedback,
    private_metadata: metadata(input.metadata),
    title: { type: 'plain_text', text: 'Regenerate code' },
    submit: { type: 'plain_text', text: 'Regenerate' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'plain_text',
          text: truncate(
            `Code v${input.version} for “${input.title}”. Claude writes v${input.version + 1} with your feedback.`,
            2900,
          ),
        },
      },
      {
        type: 'input',
        block_id: MODAL_INPUT.feedback.blockId,
        label: { type: 'plain_text', text: 'What should change?' },
        element: {
          type: 'plain_text_input',
          action_id: MODAL_INPUT.feedback.actionId,
          multiline: true,
          min_length: 3,
          max_length: FEEDBACK_MAX,
          placeholder: {
            type: 'plain_text',
            text: 'e.g. use a 4-layer model and report the paper’s perplexity metric',
          },
        },
      },
    ],
  };
}
