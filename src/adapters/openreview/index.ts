import { PermanentError } from '../../errors.js';
import { forEachInSlices } from '../../event-loop-slices.js';
import type {
  PageOptions,
  PaperSource,
  SkippedRecord,
  SourcePage,
  SourceRecord,
} from '../../ports/paper-source.js';
import { MAX_NOTES_PER_PAGE, type OpenReviewClient } from './client.js';
import { noteFingerprint } from './note-fingerprint.js';
import { isSkipped, type ListingContext, noteToRecord } from './note-to-paper.js';
import type { SubmissionStatus } from './presentation.js';
import { looksLikeApiV1Note } from './schema.js';
import {
  assertOnApiV2,
  type OpenReviewVenue,
  UnsupportedApiVersionError,
  VENUES,
  type VenueIdSet,
  venueIdsFor,
} from './venues.js';

export { OpenReviewClient } from './client.js';
export { connectOpenReview, type ConnectOpenReviewOptions } from './connect.js';
export { OpenReviewSession, type OpenReviewCredentials } from './session.js';
export { OpenReviewAccessError, OpenReviewLoginError } from './errors.js';
export {
  isOpenReviewVenue,
  OPENREVIEW_VENUES,
  type OpenReviewVenue,
  UnsupportedApiVersionError,
} from './venues.js';

export interface OpenReviewListing {
  venue: OpenReviewVenue;
  year: number;
  /** Also read rejected, desk-rejected and withdrawn submissions (only those the venue made public). */
  includeRejected: boolean;
  /** At most 1000 (OpenReview's limit); tests use small pages. */
  pageSize?: number;
}

/** Notes in one page of the scrape: a quarter of a full listing response. */
const SUB_PAGE_NOTES = 250;

interface Phase {
  venueId: string;
  status: SubmissionStatus;
}

/**
 * Accepted papers of an API v2 venue-year through `content.venueid` (research/sources.md §1.2), 1000 a page
 * with `offset`, stopping at `count`. Cursor: `<phase>:<offset>`, where a phase is one venue id (accepted,
 * then rejected and withdrawn when asked).
 */
export function createOpenReviewSource(client: OpenReviewClient, listing: OpenReviewListing): PaperSource {
  const spec = VENUES[listing.venue];
  const pageSize = Math.min(listing.pageSize ?? MAX_NOTES_PER_PAGE, MAX_NOTES_PER_PAGE);
  return {
    source: 'openreview',
    label: `${spec.name} ${listing.year}${listing.includeRejected ? ' (with rejected and withdrawn)' : ''}`,
    async *pages(options: PageOptions = {}): AsyncGenerator<SourcePage> {
      assertOnApiV2(listing.venue, listing.year);
      const phases = phasesFor(await venueIds(client, listing, options.signal), listing.includeRejected);
      let { phase, offset } = parseCursor(options.cursor);
      let seenTotal = 0;
      while (phase < phases.length) {
        options.signal?.throwIfAborted();
        const current = phases[phase] as Phase;
        const body = await client.listNoteBytes(
          {
            'content.venueid': current.venueId,
            limit: String(pageSize),
            offset: String(offset),
            sort: 'number:asc',
          },
          options.signal,
        );
        const context = { venue: spec.name, year: listing.year, status: current.status };
        const pageOffset = offset;
        const notes = body.notes;
        offset += notes.length;
        const phaseTotal = body.count ?? offset;
        const phaseDone = notes.length < pageSize || offset >= phaseTotal;
        // A listing of 1,000 notes goes on as pages of SUB_PAGE_NOTES, each read only when the scrape asks for
        // it: a page's mapped papers stay alive until it is stored, and a thousand of them made every scavenge
        // of the garbage collector copy them, pauses of 10-30 ms of the event loop that acks Slack (issue 14,
        // item 3). A sub-page's cursor is the offset of the note after it, so a resumed scrape asks OpenReview
        // from there.
        for (let start = 0; start === 0 || start < notes.length; start += SUB_PAGE_NOTES) {
          const part = notes.slice(start, start + SUB_PAGE_NOTES);
          const { records, skipped, unchanged, apiV1 } = await readNotes(part, context, options);
          if (apiV1) {
            throw new UnsupportedApiVersionError(
              `OpenReview returned API v1 notes for ${spec.name} ${listing.year}; Sherpa reads API v2 only`,
              { hint: `Check OPENREVIEW_API_URL points at API v2 (https://api2.openreview.net)` },
            );
          }
          const page = { records, skipped, ...(unchanged > 0 ? { unchanged } : {}) };
          if (start + SUB_PAGE_NOTES < notes.length) {
            yield {
              ...page,
              nextCursor: `${phase}:${pageOffset + start + part.length}`,
              total: seenTotal + phaseTotal,
            };
            continue;
          }
          if (phaseDone) {
            seenTotal += phaseTotal;
            phase++;
            offset = 0;
          }
          const more = phase < phases.length;
          yield {
            ...page,
            nextCursor: more ? `${phase}:${offset}` : undefined,
            total: phaseDone ? seenTotal : seenTotal + phaseTotal,
          };
        }
      }
    },
  };
}

/** The group says which API the venue is on and names its rejected/withdrawn venue ids. */
async function venueIds(
  client: OpenReviewClient,
  listing: OpenReviewListing,
  signal?: AbortSignal,
): Promise<VenueIdSet> {
  const spec = VENUES[listing.venue];
  const groupId = spec.groupId(listing.year);
  const group = await client.getGroup(groupId, signal);
  if (!group) {
    throw new PermanentError(`OpenReview has no venue ${groupId}`, {
      hint: `Check the year: ${spec.name} ${listing.year} may not be on OpenReview (yet)`,
    });
  }
  if (!group.domain) {
    throw new UnsupportedApiVersionError(
      `${spec.name} ${listing.year} is on OpenReview API v1, which Sherpa does not read`,
      { hint: 'Scrape a year that is on API v2' },
    );
  }
  const content = group.content;
  const named = {
    ...(content?.rejected_venue_id?.value ? { rejected: content.rejected_venue_id.value } : {}),
    ...(content?.withdrawn_venue_id?.value ? { withdrawn: content.withdrawn_venue_id.value } : {}),
    ...(content?.desk_rejected_venue_id?.value ? { deskRejected: content.desk_rejected_venue_id.value } : {}),
  };
  return venueIdsFor(groupId, named);
}

function phasesFor(ids: VenueIdSet, includeRejected: boolean): Phase[] {
  const phases: Phase[] = [{ venueId: ids.accepted, status: 'accepted' }];
  if (!includeRejected) return phases;
  for (const venueId of ids.rejected) phases.push({ venueId, status: 'rejected' });
  for (const venueId of ids.withdrawn) phases.push({ venueId, status: 'withdrawn' });
  return phases;
}

/**
 * Fingerprint every note's text; parse and map only those the store does not already hold exactly so. A note
 * that is not JSON is skipped like one of the wrong shape (before issue 14 it failed its whole page).
 */
async function readNotes(
  notes: readonly Buffer[],
  context: ListingContext,
  options: PageOptions,
): Promise<{ records: SourceRecord[]; skipped: SkippedRecord[]; unchanged: number; apiV1: boolean }> {
  // In slices (`forEachInSlices`): a 1,000-note page hashed, parsed and mapped in one go held the event loop
  // that acks Slack for over 100 ms.
  const fingerprints: string[] = [];
  await forEachInSlices(notes, (bytes) => void fingerprints.push(noteFingerprint(bytes, context)));
  const known = options.knownFingerprints ? await options.knownFingerprints(fingerprints) : undefined;
  const records: SourceRecord[] = [];
  const skipped: SkippedRecord[] = [];
  let unchanged = 0;
  let apiV1 = false;
  await forEachInSlices(notes, (bytes, index) => {
    const fingerprint = fingerprints[index] as string;
    if (known?.has(fingerprint)) {
      unchanged++;
      return;
    }
    const text = bytes.toString('utf8');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      skipped.push({ reason: 'note is not JSON' });
      return;
    }
    apiV1 ||= looksLikeApiV1Note(raw);
    const result = noteToRecord(raw, context);
    if (isSkipped(result)) skipped.push(result);
    // JSON Lines keep one record a line: a note with a line break in it is serialised again instead. Otherwise
    // the raw page gets the note's own bytes (a view of the body), and the parsed note is let go at once: a
    // page's thousand parsed notes kept alive until the page was stored made each scavenge copy them, pauses
    // of 10 to 25 ms of the event loop that acks Slack (issue 14, item 3).
    else if (oneLine(bytes)) records.push({ ...result, raw: undefined, fingerprint, rawJson: bytes });
    else records.push({ ...result, fingerprint });
  });
  return { records, skipped, unchanged, apiV1 };
}

function parseCursor(cursor: string | undefined): { phase: number; offset: number } {
  if (!cursor) return { phase: 0, offset: 0 };
  const match = cursor.match(/^(\d+):(\d+)$/);
  if (!match) throw new PermanentError(`Not an OpenReview scrape position: "${cursor}"`);
  return { phase: Number(match[1]), offset: Number(match[2]) };
}

function oneLine(bytes: Buffer): boolean {
  return bytes.indexOf(0x0a) === -1 && bytes.indexOf(0x0d) === -1;
}
