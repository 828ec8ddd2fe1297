import { z } from 'zod';
import { scrapeUsage } from '../messages/help-texts.js';
import { firstProblem, type ParseResult } from './parse-result.js';
import { parseFlags, tokenize } from './tokenize.js';
import { SCRAPE_VENUES, type ScrapeVenue } from './venues.js';

export type ScrapeCommand =
  | { kind: 'help' }
  | {
      kind: 'venue';
      venue: ScrapeVenue;
      year: number;
      query?: string;
      limit?: number;
      includeRejected: boolean;
    }
  | { kind: 'arxiv'; days: number; categories?: string[] };

/** The usage a wrong `/scrape` shows (the words are in messages/help-texts). */
export const SCRAPE_USAGE = scrapeUsage(SCRAPE_VENUES);

export const ARXIV_DEFAULT_DAYS = 1;
const MAX_DAYS = 30;
const MAX_LIMIT = 5000;
const THIS_YEAR = new Date().getUTCFullYear();

const flagKnown = (allowed: readonly string[]) => (flags: Map<string, string>) =>
  [...flags.keys()].every((name) => allowed.includes(name));

const positiveInt = (flag: string, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `--${flag} needs a whole number, for example --${flag} 10.` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, { error: `--${flag} must be at least 1.` })
        .max(max, { error: `--${flag} can be at most ${max}.` }),
    );

const VenueArgs = z.object({
  venue: z.enum(SCRAPE_VENUES, {
    error: (issue) =>
      `\`${String(issue.input)}\` is not a venue /scrape knows; use ${SCRAPE_VENUES.join(', ')} or arxiv.`,
  }),
  year: z
    .string({ error: '`/scrape <venue>` needs a year after the venue, for example `/scrape iclr 2025`.' })
    .regex(/^\d{4}$/, { error: 'the year must have four digits, for example `/scrape iclr 2025`.' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(2013, { error: 'OpenReview and the MLSys proceedings start in 2013; pick a later year.' })
        .max(THIS_YEAR + 1, { error: `${THIS_YEAR + 1} is the latest year that can have papers.` }),
    ),
  extra: z
    .array(z.string())
    .max(0, { error: 'unexpected words after the year; put search words after --query.' }),
  query: z.string().min(1, { error: '--query needs words, for example --query flash attention.' }).optional(),
  limit: positiveInt('limit', MAX_LIMIT).optional(),
  includeRejected: z.string().max(0, { error: '--include-rejected takes no value.' }).optional(),
});

const CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;
const ArxivArgs = z.object({
  extra: z.array(z.string()).max(0, { error: '`/scrape arxiv` takes only --days and --categories.' }),
  days: positiveInt('days', MAX_DAYS).optional(),
  categories: z
    .string()
    .transform((list) => list.split(/[\s,]+/).filter(Boolean))
    .pipe(
      z
        .array(
          z
            .string()
            .regex(CATEGORY, { error: (i) => `${String(i.input)} is not an arXiv category such as cs.LG.` }),
        )
        .min(1, { error: '--categories needs at least one category, for example --categories cs.LG,cs.CL.' }),
    )
    .optional(),
});

/** Parse the text after `/scrape`. Never throws: a problem comes back with the usage text. */
export function parseScrapeCommand(text: string): ParseResult<ScrapeCommand> {
  const fail = (problem: string): ParseResult<ScrapeCommand> => ({ ok: false, problem, usage: SCRAPE_USAGE });
  const { positional, flags, repeated } = parseFlags(tokenize(text));
  const [first = 'help', ...rest] = positional;
  const source = first.toLowerCase();
  if (source === 'help' && rest.length === 0 && flags.size === 0)
    return { ok: true, command: { kind: 'help' } };
  if (repeated.length > 0) return fail(`--${repeated[0]} was given more than once.`);

  if (source === 'arxiv') {
    if (!flagKnown(['days', 'categories'])(flags)) {
      return fail(
        `\`/scrape arxiv\` knows --days and --categories, not ${unknownFlags(flags, ['days', 'categories'])}.`,
      );
    }
    const parsed = ArxivArgs.safeParse({
      extra: rest,
      days: flags.get('days'),
      categories: flags.get('categories'),
    });
    if (!parsed.success) return fail(firstProblem(parsed.error));
    const command: ScrapeCommand = { kind: 'arxiv', days: parsed.data.days ?? ARXIV_DEFAULT_DAYS };
    if (parsed.data.categories) command.categories = parsed.data.categories;
    return { ok: true, command };
  }

  const venueFlags = ['query', 'limit', 'include-rejected'];
  if (!flagKnown(venueFlags)(flags)) {
    return fail(
      `\`/scrape ${source}\` knows --query, --limit and --include-rejected, not ${unknownFlags(flags, venueFlags)}.`,
    );
  }
  const parsed = VenueArgs.safeParse({
    venue: source,
    year: rest[0],
    extra: rest.slice(1),
    query: flags.get('query'),
    limit: flags.get('limit'),
    includeRejected: flags.get('include-rejected'),
  });
  if (!parsed.success) return fail(firstProblem(parsed.error));
  const { venue, year, query, limit, includeRejected } = parsed.data;
  const command: ScrapeCommand = {
    kind: 'venue',
    venue,
    year,
    includeRejected: includeRejected !== undefined,
  };
  if (query) command.query = query;
  if (limit !== undefined) command.limit = limit;
  return { ok: true, command };
}

function unknownFlags(flags: Map<string, string>, allowed: readonly string[]): string {
  return [...flags.keys()]
    .filter((name) => !allowed.includes(name))
    .map((name) => `--${name}`)
    .join(', ');
}
