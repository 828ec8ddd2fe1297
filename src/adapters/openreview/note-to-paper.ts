import type { ScrapedPaperInput } from '../../domain/paper.js';
import type { SkippedRecord, SourceRecord } from '../../ports/paper-source.js';
import { presentationFor, type SubmissionStatus } from './presentation.js';
import { type Note, NoteSchema } from './schema.js';

/**
 * Links are for people and always point at the public site, whatever OPENREVIEW_API_URL says. The PDF download
 * is redirected at fetch time by OPENREVIEW_WEB_URL (src/papers/download-url.ts), not here.
 */
const SITE = 'https://openreview.net';

export interface ListingContext {
  /** Short venue name: `ICLR`. */
  venue: string;
  year: number;
  status: SubmissionStatus;
}

/** Parse one raw note and map it; a note that does not parse or has no title is skipped with a reason. */
export function noteToRecord(raw: unknown, context: ListingContext): SourceRecord | SkippedRecord {
  const parsed = NoteSchema.safeParse(raw);
  const rawId = (raw as { id?: unknown } | null)?.id;
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ...(typeof rawId === 'string' ? { sourceId: rawId } : {}),
      reason: `note does not match the API v2 shape (${issue?.path.join('.') || '(root)'}: ${issue?.message})`,
    };
  }
  const note = parsed.data;
  const title = note.content.title?.value;
  if (!title?.trim()) return { sourceId: note.id, reason: 'note has no title (hidden or missing)' };
  return { sourceId: note.id, paper: noteToPaper(note, title, context), raw };
}

function noteToPaper(note: Note, title: string, context: ListingContext): ScrapedPaperInput {
  const content = note.content;
  const forum = note.forum ?? note.id;
  const venueLabel = content.venue?.value;
  const published = note.pdate ?? note.odate ?? note.cdate;
  const keywords = content.keywords?.value;
  const paper: ScrapedPaperInput = {
    source: 'openreview',
    sourceId: note.id,
    openreviewId: forum,
    title,
    authors: (content.authors?.value ?? []).map((author) =>
      typeof author === 'string' ? author : (author.fullname ?? author.username ?? ''),
    ),
    abstract: content.abstract?.value ?? content.TLDR?.value ?? '',
    venue: context.venue,
    year: context.year,
    presentation: presentationFor(context.status, venueLabel),
    forumUrl: `${SITE}/forum?id=${forum}`,
    pdfUrl: pdfUrlFor(content.pdf?.value, note.id),
    keywords: typeof keywords === 'string' ? keywords.split(/[,;]/) : (keywords ?? []),
  };
  if (venueLabel) paper.venueLabel = venueLabel;
  if (typeof published === 'number') paper.publishedAt = new Date(published).toISOString();
  return paper;
}

/** `content.pdf` is a path relative to the site (`/pdf/<sha>.pdf`); without one, the forum's PDF link works. */
function pdfUrlFor(pdf: string | undefined, id: string): string {
  if (pdf?.startsWith('/')) return `${SITE}${pdf}`;
  if (pdf && /^https?:\/\//.test(pdf)) return pdf;
  return `${SITE}/pdf?id=${id}`;
}

export function isSkipped(result: SourceRecord | SkippedRecord): result is SkippedRecord {
  return !('paper' in result);
}
