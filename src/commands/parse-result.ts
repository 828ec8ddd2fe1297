import type { z } from 'zod';
import { escapeMrkdwn } from '../messages/mrkdwn.js';

/** A parsed command, or what was wrong with it together with the usage text to show. */
export type ParseResult<T> = { ok: true; command: T } | { ok: false; problem: string; usage: string };

/** The first zod issue, as one sentence a person can act on. */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? issue.message : 'the command could not be read';
}

/** What the user sees when the text is wrong: the problem first, then how to write it. */
export function usageMessage(result: { problem: string; usage: string }): string {
  // The problem quotes what was typed (`<!channel>` is not a subcommand); the usage shows `<id>` placeholders.
  return escapeMrkdwn(`:warning: ${result.problem}\n\n${result.usage}`);
}
