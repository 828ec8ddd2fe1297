import type { AuditEntry } from '../domain/paper.js';
import type { PaperState } from '../domain/paper-state.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** What moving a paper into a state means, in words a person in the thread understands. */
const VERBS: Partial<Record<PaperState, string>> = {
  code_requested: 'asked for code',
  code_ready: 'posted the code',
  code_failed: 'reported that code generation failed',
  rejected: 'rejected it',
  run_approved: 'approved the run',
  run_held: 'held the run (over budget)',
  queued: 'queued the run',
  running: 'started the run',
  succeeded: 'finished the run',
  failed: 'reported the run failed',
  accepted: 'accepted it',
};

/** `<@U123>` for a person, `Sherpa` for the bot's own jobs (`system:codegen`). */
export function actorMention(actor: string): string {
  return actor.startsWith('system:') ? 'Sherpa' : `<@${actor}>`;
}

/** A date Slack renders in each reader's own time zone, with an ISO fallback for clients that cannot. */
export function slackDate(iso: string): string {
  const seconds = Math.floor(new Date(iso).getTime() / 1000);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${iso}>`;
}

/** "<@U123> asked for code on <date>" — the answer to "who decided, and when?". */
export function describeDecision(audit: AuditEntry): string {
  const verb = VERBS[audit.to] ?? `moved it to ${audit.to.replace(/_/g, ' ')}`;
  // Notes are typed reasons and error texts: shown as written, never as mentions or links.
  const note = audit.note ? `: “${escapeMrkdwn(audit.note.slice(0, 200))}”` : '';
  return `${actorMention(audit.actor)} ${verb} on ${slackDate(audit.at)}${note}`;
}
