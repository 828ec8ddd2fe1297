import type { AuditEntry, Paper, ThreadRef } from '../domain/paper.js';
import { describeDecision } from './describe-decision.js';
import { link } from './mrkdwn.js';
import { threadUrl } from './slack-time.js';

/**
 * What the person who clicked a button (or submitted a form) hears when the click changed nothing, or could
 * not: ephemeral, one line, always saying whether anything happened. Pure.
 */

/** A button whose value does not carry the ids its handler needs (forged, or from an older Sherpa). */
export function buttonWithout(
  what: 'paper id' | 'paper and code' | 'paper and run' | 'paper and step',
): string {
  return `That button carries no ${what}; nothing was changed.`;
}

export const PAPER_GONE = 'That paper is not in Sherpa’s store any more; nothing was changed.';
export const RUN_GONE = 'That run is not in Sherpa’s store any more.';
export const NO_SUCH_CODE_VERSION = 'Sherpa has no record of that code version; nothing was changed.';

/** The paper a decision was for is gone (the stores answer `not_found`). */
export function paperNotInStore(paperId: string): string {
  return `Paper ${paperId} is not in Sherpa's store any more.`;
}

/**
 * For a click that lost the race, or arrived after the paper left the state its button was for: who decided,
 * when, and what it is now.
 */
export function alreadyDecidedAnswer(paper: Pick<Paper, 'state'>, last: AuditEntry | undefined): string {
  const who = last ? `${describeDecision(last)}.` : `It is ${paper.state.replace(/_/g, ' ')} now.`;
  return `Nothing to do: this was already decided. ${who}`;
}

/** Something failed after the click was accepted; the full error is in the log. */
export const CLICK_FAILED =
  ':x: Sherpa could not record that; the details are in the bot log. Nothing was changed.';
export const FIX_REQUEST_FAILED = 'Sherpa could not ask for a fix; the details are in the bot log.';
export const RUN_REQUEST_FAILED = 'Sherpa could not queue the run; the details are in the bot log.';

/** Run, Re-run or Override where no compute is configured (`COMPUTE=none`). */
export const COMPUTE_OFF =
  'Runs are switched off here: set `COMPUTE=ec2` with `TRAINIUM_INSTANCE_IDS` (or `COMPUTE=local` for a trial) and restart Sherpa.';

/** **Retry** on a step that cannot be retried from a button. */
export function cannotRetryStep(step: string): string {
  return `Sherpa cannot retry the step “${step}” from a button; nothing was changed.`;
}

/** **Override budget and generate** after someone went ahead already. */
export const NOTHING_HELD =
  'Nothing is held for that paper any more (someone went ahead already); nothing was changed.';

/** **Open thread** on a digest row while another click is opening the same thread. */
export const THREAD_BEING_OPENED = 'Someone is opening that thread right now; it will appear shortly.';

/** **Open thread** on a paper that already has one. */
export function threadAlreadyOpen(thread: ThreadRef): string {
  return `That paper already has a ${link(threadUrl(thread), 'thread')}; nothing new was posted.`;
}

/** A code-step button (Reject, Regenerate) for a version that is no longer the current one. */
export function newerCodeOnCodeStep(current: { version: number; shortHash: string } | undefined): string {
  const which = current ? ` (v${current.version}, \`${current.shortHash}\`)` : '';
  return `A newer version of the code exists${which}; use the buttons on its code step. Nothing was changed.`;
}

/** A Run / Re-run button bound to code that is no longer the current version. */
export function newerCodeThanRunButton(current: { version: number; shortHash: string } | undefined): string {
  const which = current ? ` (v${current.version}, \`${current.shortHash}\`)` : '';
  return (
    `A newer version of the code exists${which}: ` +
    'this button was for an older one. Use the Run button on the latest code step.'
  );
}

/** A form (reject code, regenerate) submitted after a newer code version arrived. */
export function newerCodeWhileFormOpen(action: 'regenerated' | 'rejected'): string {
  return `A newer version of the code arrived while the form was open; nothing was ${action}.`;
}

/** **Ask Claude to fix** refused: why, and what to do instead. */
export const NEWER_RUN_EXISTS = 'A newer run of this paper exists; use the buttons on its result.';

export function infrastructureFailureNotFixable(failureClass: string | undefined): string {
  return `That run failed in Sherpa’s own infrastructure (${failureClass}), not in the code, so there is nothing for Claude to fix. Re-run it once the problem is fixed.`;
}

export function noFixRoundsLeft(maxRounds: number): string {
  return `This paper has used its ${maxRounds} fix rounds (MAX_FIX_ROUNDS). Regenerate the code with feedback instead.`;
}

/** A decision form (reject reason, regenerate feedback) whose submission could not be read. */
export const FORM_UNREADABLE = 'Sherpa could not read this form; close it and try again.';

/** Regenerate with feedback submitted without feedback: there is nothing new to ask Claude for. */
export const FEEDBACK_REQUIRED = 'Please say what should change.';

const HARDWARE_NAME = { neuron: 'Trainium', cuda: 'GPU' } as const;

/** A run button bound to one backend clicked on code written for the other (issue 12, item 5). */
export function backendMismatch(button: 'neuron' | 'cuda', code: 'neuron' | 'cuda'): string {
  return (
    `This button runs on ${HARDWARE_NAME[button]}, but this code is written for ${HARDWARE_NAME[code]}. ` +
    'Nothing ran; use the Run button on the code step for that version.'
  );
}
