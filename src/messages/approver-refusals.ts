/**
 * What a person who may not approve hears. Every approval (a button, a modal, `/paper run`, `/paper digest`)
 * checks APPROVERS; the refusal names what was asked and that nothing happened.
 */

/** What the refused request would have done, as the refusal ends. */
export type RefusedOutcome = 'nothing was changed' | 'nothing was started' | 'nothing was posted';

/**
 * `Only approvers can <what> (see APPROVERS); <outcome>.` Slash commands and the approval buttons lead with
 * `:no_entry:`; the run buttons, the fix button and modal submissions answer with the sentence alone.
 */
export function notAnApprover(
  what: string,
  options: { outcome?: RefusedOutcome; mark?: boolean } = {},
): string {
  const sentence = `Only approvers can ${what} (see APPROVERS); ${options.outcome ?? 'nothing was changed'}.`;
  return options.mark ? `:no_entry: ${sentence}` : sentence;
}

/** What the user hears when the approver list could not be read from Slack (the answer is then no). */
export const APPROVER_LIST_UNCHECKED =
  'Sherpa could not check the approver list with Slack just now, so it cannot tell whether you are an approver; nothing was changed. Try again in a few minutes.';
