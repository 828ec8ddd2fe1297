import { createHash } from 'node:crypto';
import type { ListingContext } from './note-to-paper.js';

/**
 * What a note's record in Sherpa depends on: its text as OpenReview sent it, the listing it came from (venue,
 * year, accepted or rejected), and the code that maps, cleans and merges it. Change that code in a way that
 * changes what a stored note becomes, and bump this, so the next re-scrape reads every note once more.
 */
const MAPPING_VERSION = 1;

/** The fingerprint of a note's JSON bytes in its listing (`SourceRecord.fingerprint`). */
export function noteFingerprint(noteJson: Buffer, context: ListingContext): string {
  const listing = `openreview/${MAPPING_VERSION}/${context.venue}/${context.year}/${context.status}\n`;
  return createHash('sha256').update(listing).update(noteJson).digest('base64url');
}
