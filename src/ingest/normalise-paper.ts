import { cleanText, normaliseArxivId, normaliseDoi } from '../domain/identifiers.js';
import { type ScrapedPaper, type ScrapedPaperInput, ScrapedPaperSchema } from '../domain/paper.js';

export type NormaliseResult = { ok: true; paper: ScrapedPaper } | { ok: false; reason: string };

/**
 * One normalised paper whatever the source: control characters and runs of whitespace removed from every text
 * field (ICLR 2026 has a title with U+0002), identifiers in their canonical form, empty names dropped, then the
 * zod schema. A record that still fails is reported, not stored.
 */
export function normalisePaper(input: ScrapedPaperInput): NormaliseResult {
  // Object.assign, not a spread followed by new keys: V8 adds those on a slow path (see newPaperFrom).
  const candidate: ScrapedPaperInput = Object.assign({}, input, {
    sourceId: input.sourceId.trim(),
    title: cleanText(input.title),
    abstract: cleanText(input.abstract),
    authors: cleanList(input.authors),
    venue: cleanText(input.venue),
    keywords: cleanList(input.keywords ?? []),
    categories: cleanList(input.categories ?? []),
  });
  if (input.venueLabel !== undefined) candidate.venueLabel = cleanText(input.venueLabel) || undefined;
  if (input.arxivId !== undefined) candidate.arxivId = normaliseArxivId(input.arxivId);
  if (input.doi !== undefined) candidate.doi = normaliseDoi(input.doi);
  const parsed = ScrapedPaperSchema.safeParse(dropUndefined(candidate));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue?.path.join('.') || 'record'}: ${issue?.message}` };
  }
  return { ok: true, paper: parsed.data };
}

function cleanList(values: readonly string[]): string[] {
  return [...new Set(values.map(cleanText).filter(Boolean))];
}

/** A plain loop, not entries/fromEntries: ingest runs this for every paper (issue 14's profile). */
function dropUndefined<T extends object>(value: T): T {
  const kept: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== undefined) kept[key] = field;
  return kept as T;
}

/** `--query` for a venue: every word must appear in the title, abstract or keywords (case-insensitive). */
export function matchesQuery(paper: ScrapedPaper, query: string): boolean {
  const haystack = `${paper.title} ${paper.abstract} ${paper.keywords.join(' ')}`.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}
