import type { Paper, ThreadRef } from '../domain/paper.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { feasibilityMark } from './paper-facts.js';
import type { TextMessage } from './scrape-replies.js';
import { threadUrl } from './slack-time.js';

/**
 * The ephemeral answers to `/paper` subcommands that are one line of text (status, search and digest have
 * their own builders), and the lines `/paper run` composes them from. Pure.
 */

/** Any subcommand that failed: the error in one line, never a stack trace. */
export function commandFailedAnswer(problem: string): TextMessage {
  return { text: `:x: ${escapeMrkdwn(problem)}` };
}

/** `/paper status` of a paper Sherpa has never seen. `reference` is the id or URL as the user gave it. */
export function unknownPaperAnswer(reference: string): TextMessage {
  return {
    text: `Sherpa does not know ${escapeMrkdwn(reference)} yet. \`/paper search &lt;words&gt;\` finds papers by title.`,
  };
}

/** `/paper digest` posted: where, and that the scheduled one still comes. */
export function digestPostedAnswer(posted: ThreadRef): TextMessage {
  return {
    text: `Posted the digest in <#${posted.channel}>: <${threadUrl(posted)}|open it>. The scheduled one still comes at its time.`,
  };
}

/** `/paper run` where no model is configured: nothing can be judged or written. */
export const NO_LLM_ANSWER: TextMessage = {
  text: ':x: No LLM is configured in this Sherpa, so it cannot judge papers or write code.',
};

/** `/paper run` at once, before the lookup (which may fetch and judge the paper). */
export function lookingUpAnswer(input: string): TextMessage {
  return { text: `:hourglass_flowing_sand: Looking up \`${escapeMrkdwn(input)}\`…` };
}

/** `/paper run` of an id that its source does not know. */
export function paperNotAtSource(reference: string): string {
  return `${escapeMrkdwn(reference)} does not exist at its source.`;
}

/** `/paper run` of a paper the judge could not score (the run goes on: the verdict informs, it does not block). */
export function judgeCouldNotScore(reason: string): string {
  return `The judge could not score it (${escapeMrkdwn(reason)}).`;
}

/** `/paper run` of a paper already at or past code generation: what is happening, and where to act instead. */
export function alreadyUnderwayAnswer(paper: Pick<Paper, 'state' | 'thread' | 'codeVersions'>): string {
  const where = paper.thread ? ` in <#${paper.thread.channel}>` : '';
  if (paper.state === 'code_requested') return `Code for this paper is already being generated${where}.`;
  const version = paper.codeVersions.at(-1);
  return (
    `This paper is past code generation (${paper.state.replace(/_/g, ' ')}${version ? `, code v${version.version}` : ''})${where}. ` +
    'Use the buttons in its thread: Regenerate with feedback asks for new code.'
  );
}

/** The note on the thread root of a paper opened with `/paper run`. */
export function openedWithPaperRun(userId: string): string {
  return `Opened by <@${userId}> with \`/paper run\``;
}

export interface PaperRunStartedView {
  paper: Pick<Paper, 'title' | 'verdict'>;
  /** Fetched from its source just now, rather than found in the store. */
  fetched: boolean;
  /** Why the judge could not score it, when it could not. */
  judgeNote?: string;
  thread: ThreadRef;
}

/** `/paper run` done: what was found, the judge's scores, and that code generation started in its thread. */
export function paperRunStartedAnswer(view: PaperRunStartedView): TextMessage {
  const verdict = view.paper.verdict;
  const scores = verdict?.relevance
    ? `Judge: relevance ${verdict.relevance}/10, novelty ${verdict.novelty ?? '?'}/10` +
      (verdict.feasibility ? `, Trainium ${feasibilityMark(verdict.feasibility.verdict)}` : '') +
      '. '
    : verdict
      ? `Judge: ${escapeMrkdwn(verdict.rationale)} `
      : '';
  return {
    text:
      `:white_check_mark: ${view.fetched ? 'Fetched' : 'Found'} “${escapeMrkdwn(view.paper.title)}”. ${scores}` +
      `${view.judgeNote ? `${view.judgeNote} ` : ''}Code generation started in its thread in <#${view.thread.channel}>.`,
  };
}
