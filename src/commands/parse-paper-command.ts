import { z } from 'zod';
import { PAPER_STATES, type PaperState } from '../domain/paper-state.js';
import { parsePaperReference, type PaperReference } from '../domain/identifiers.js';
import type { SearchFilters } from '../ports/paper-store.js';
import { PAPER_USAGE } from '../messages/help-texts.js';
import { parseEvolveArgs, type EvolveCommand } from './parse-evolve-command.js';
import { firstProblem, type ParseResult } from './parse-result.js';
import { tokenize } from './tokenize.js';
import { canonicalVenue, KNOWN_VENUE_NAMES } from './venues.js';

export type PaperCommand =
  | { kind: 'help' }
  | { kind: 'run'; reference: PaperReference; input: string }
  | { kind: 'status'; reference: PaperReference; input: string }
  | { kind: 'search'; text: string; filters: SearchFilters }
  | { kind: 'digest' }
  | EvolveCommand;

/** The usage a wrong `/paper` shows (built with the other help texts in messages/). */
export { PAPER_USAGE };

const ReferenceSchema = z.string().transform((text, ctx): PaperReference => {
  const reference = parsePaperReference(text);
  if (!reference) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not a paper id, an arXiv id or URL, an OpenReview id or URL, or a DOI.`,
    });
    return z.NEVER;
  }
  return reference;
});

function referenceArgsFor(sub: 'run' | 'status') {
  return z
    .array(z.string())
    .min(1, { error: `\`/paper ${sub}\` needs a paper id, for example \`/paper ${sub} 2401.00001\`.` })
    .max(1, { error: `\`/paper ${sub}\` takes one paper id, but got more than one word.` })
    .transform((words) => words[0] as string)
    .pipe(ReferenceSchema);
}

/** Built once: a zod schema costs far more to build than to run, and `/paper status` parses before its ack. */
const REFERENCE_ARGS = { run: referenceArgsFor('run'), status: referenceArgsFor('status') };

const STATE_NAMES = PAPER_STATES.join(', ');
const StateSchema = z
  .string()
  .transform((s) => s.toLowerCase().replace(/-/g, '_'))
  .pipe(
    z.enum(PAPER_STATES, {
      error: (issue) => `status:${String(issue.input)} is not a state; use one of ${STATE_NAMES}.`,
    }),
  );
const VenueSchema = z.string().transform((text, ctx) => {
  const venue = canonicalVenue(text);
  if (!venue) {
    ctx.addIssue({
      code: 'custom',
      message: `venue:${text} is not a venue Sherpa knows (${KNOWN_VENUE_NAMES.join(', ')}).`,
    });
    return z.NEVER;
  }
  return venue;
});
const YearSchema = z
  .string()
  .regex(/^\d{4}$/, { error: 'year: needs a four-digit year such as year:2025.' })
  .transform(Number)
  .pipe(z.number().min(1990, { error: 'year: needs a year from 1990 on.' }));

const FILTER = /^(venue|year|status|state):(.*)$/i;

const SearchSchema = z
  .array(z.string())
  .transform((words) => {
    const filters: Record<string, string> = {};
    const text: string[] = [];
    for (const word of words) {
      const match = word.match(FILTER);
      if (match?.[1])
        filters[match[1].toLowerCase() === 'state' ? 'status' : match[1].toLowerCase()] = match[2] ?? '';
      else text.push(word);
    }
    return { text: text.join(' '), filters };
  })
  .pipe(
    z.object({
      text: z.string(),
      filters: z.object({
        venue: VenueSchema.optional(),
        year: YearSchema.optional(),
        status: StateSchema.optional(),
      }),
    }),
  )
  .refine((search) => search.text !== '' || Object.values(search.filters).some((v) => v !== undefined), {
    error:
      '`/paper search` needs words to search for, a filter, or both, for example `/paper search flash attention year:2024`.',
  });

const DigestArgs = z.array(z.string()).max(0, { error: '`/paper digest` takes no arguments.' });

/** Parse the text after `/paper`. Never throws: a problem comes back with the usage text. */
export function parsePaperCommand(text: string): ParseResult<PaperCommand> {
  const [sub = 'help', ...rest] = tokenize(text);
  const fail = (problem: string): ParseResult<PaperCommand> => ({ ok: false, problem, usage: PAPER_USAGE });
  switch (sub.toLowerCase()) {
    case 'help':
      return { ok: true, command: { kind: 'help' } };
    case 'run':
    case 'status': {
      const kind = sub.toLowerCase() as 'run' | 'status';
      const parsed = REFERENCE_ARGS[kind].safeParse(rest);
      if (!parsed.success) return fail(firstProblem(parsed.error));
      return { ok: true, command: { kind, reference: parsed.data, input: rest[0] as string } };
    }
    case 'search': {
      const parsed = SearchSchema.safeParse(rest);
      if (!parsed.success) return fail(firstProblem(parsed.error));
      const { venue, year, status } = parsed.data.filters;
      const filters: SearchFilters = {};
      if (venue) filters.venue = venue;
      if (year !== undefined) filters.year = year;
      if (status) filters.state = status as PaperState;
      return { ok: true, command: { kind: 'search', text: parsed.data.text, filters } };
    }
    case 'evolve':
      return parseEvolveArgs(rest);
    case 'digest': {
      const parsed = DigestArgs.safeParse(rest);
      if (!parsed.success) return fail(firstProblem(parsed.error));
      return { ok: true, command: { kind: 'digest' } };
    }
    default:
      if (parsePaperReference(sub)) {
        return fail(
          `\`${sub}\` needs a subcommand first: \`/paper status ${sub}\` or \`/paper run ${sub}\`.`,
        );
      }
      return fail(`\`${sub}\` is not a /paper subcommand.`);
  }
}
