import { hash } from 'node:crypto';
import type { ListingContext } from './note-to-paper.js';

/**
 * What a note's record in Sherpa depends on: its text as OpenReview sent it, the listing it came from (venue,
 * year, accepted or rejected), and the code that maps, cleans and merges it. Change that code in a way that
 * changes what a stored note becomes, and bump this, so the next re-scrape reads every note once more.
 */
const MAPPING_VERSION = 1;

/**
 * The fingerprint of a note's JSON bytes in its listing (`SourceRecord.fingerprint`): a tag of the listing and
 * the note's sha256, each hashed in one call (no hash object per note: the ingest profile counted them).
 */
export function noteFingerprint(noteJson: Buffer, context: ListingContext): string {
  return `${listingTag(context)}.${hash('sha256', noteJson, 'base64url')}`;
}

const tags = new Map<string, string>();

function listingTag(context: ListingContext): string {
  const listing = `openreview/${MAPPING_VERSION}/${context.venue}/${context.year}/${context.status}`;
  let tag = tags.get(listing);
  if (tag === undefined) {
    tag = hash('sha256', listing, 'base64url').slice(0, 12);
    tags.set(listing, tag);
  }
  return tag;
}
