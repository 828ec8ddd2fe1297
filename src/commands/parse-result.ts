import type { z } from 'zod';

/** A parsed command, or what was wrong with it together with the usage text to show. */
export type ParseResult<T> = { ok: true; command: T } | { ok: false; problem: string; usage: string };

/** The first zod issue, as one sentence a person can act on. */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? issue.message : 'the command could not be read';
}
