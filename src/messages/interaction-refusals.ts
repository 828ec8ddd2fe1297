import type { ModalView } from '../domain/block-kit.js';
import type { TextMessage } from './scrape-replies.js';

/**
 * What a person hears when Sherpa does not act on what they sent: an interaction it did not issue (refused by
 * the interaction gate before any listener) or one it could not answer in time (the ack guard). Pure.
 */

/** Why the interaction gate refused an interaction (`handlers/interactions/classify-interaction.ts`). */
export type InteractionRefusal =
  'unknown_command' | 'unknown_action' | 'unknown_view' | 'unsupported' | 'malformed';

const ANSWERS: Record<InteractionRefusal, string> = {
  unknown_command: 'Sherpa does not handle that command. Try `/paper help` or `/scrape help`.',
  unknown_action:
    'That button is no longer active (it may be from an older Sherpa message), so nothing was changed. ' +
    '`/paper status <id>` shows where a paper is now.',
  unknown_view: 'That form is no longer active, so nothing was changed.',
  unsupported: 'Sherpa does not handle that kind of interaction, so nothing was changed.',
  malformed: 'Sherpa could not read that interaction, so nothing was changed.',
};

/** The ephemeral answer to a refused command, button or other interaction. */
export function interactionRefusedAnswer(reason: InteractionRefusal): TextMessage {
  return { text: `:no_entry: ${ANSWERS[reason]}` };
}

/** A refused form submission: the modal is replaced by one that says why and can only be closed. */
export function closedFormView(reason: InteractionRefusal): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Sherpa' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ANSWERS[reason] } }],
  };
}

/** The ack guard answered in Sherpa's place: the listener is still working (`late`) or threw (`failed`). */
export function ackGuardAnswer(why: 'late' | 'failed'): string {
  return why === 'late'
    ? 'Sherpa is taking longer than expected to answer that. If nothing follows, please try again; the details are in the bot log.'
    : 'Sherpa hit a problem handling that and logged it. Please try again in a moment.';
}
