import { createHash } from 'node:crypto';
import type { SourceName } from '../domain/paper.js';
import { SliceClock } from '../event-loop-slices.js';
import type { BlobStore } from '../ports/blob-store.js';

/**
 * Raw records are kept one object per listing page, not one per paper (issue 14: the per-paper files were about
 * 12 % of an ingest's CPU time, and in AWS mode they were one S3 PUT per paper). The object is JSON Lines, one
 * `{"sourceId": …, "record": …}` per paper, the record exactly as the source returned it, at
 * `raw/<source>/pages/<sha256 of the body>.jsonl`. Content addressing makes every object immutable, so a paper's
 * `rawKeys` never points at a record that was later overwritten, and a re-scrape of an unchanged page writes
 * nothing new.
 */
export interface RawRecord {
  sourceId: string;
  raw: unknown;
  /** `raw` as the source sent it (`SourceRecord.rawJson`, one line): kept as it is instead of serialised again. */
  rawJson?: string | Uint8Array | undefined;
}

export interface RawPage {
  key: string;
  /** UTF-8, encoded once: hashed and written from the same bytes. */
  body: Buffer;
}

export const RAW_PAGE_CONTENT_TYPE = 'application/x-ndjson';

/**
 * The page object of these records, encoded and hashed a record at a time, in slices (`SliceClock`): a
 * 1,000-note page is about 1.6 MB, and joining, encoding and hashing it in one go held the event loop that acks
 * Slack for over 10 ms on a quiet machine (issue 14, item 3). A record's own bytes are copied, never decoded.
 */
export async function rawPageOf(source: SourceName, records: readonly RawRecord[]): Promise<RawPage> {
  const hash = createHash('sha256');
  const parts: Buffer[] = [];
  const clock = new SliceClock();
  for (const { sourceId, raw, rawJson } of records) {
    // With rawJson, the line JSON.stringify({ sourceId, record }) would give, from the source's own bytes.
    const line =
      rawJson === undefined
        ? [Buffer.from(`${JSON.stringify({ sourceId, record: raw })}\n`, 'utf8')]
        : [
            Buffer.from(`{"sourceId":${JSON.stringify(sourceId)},"record":`, 'utf8'),
            bytesOf(rawJson),
            LINE_END,
          ];
    for (const part of line) {
      hash.update(part);
      parts.push(part);
    }
    if (clock.spent()) await clock.next();
  }
  return { key: `raw/${source}/pages/${hash.digest('hex')}.jsonl`, body: Buffer.concat(parts) };
}

const LINE_END = Buffer.from('}\n', 'utf8');

function bytesOf(json: string | Uint8Array): Buffer {
  if (typeof json === 'string') return Buffer.from(json, 'utf8');
  return Buffer.isBuffer(json) ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength);
}

/** Written before the papers that name it are stored: a stored `rawKey` always resolves. */
export async function keepRawPage(blobs: BlobStore, page: RawPage): Promise<void> {
  await blobs.putIfAbsent(page.key, page.body, { contentType: RAW_PAGE_CONTENT_TYPE });
}

/**
 * The raw record of one paper from one of its `rawKeys`: a page object (`.jsonl`, searched for the source id)
 * or a single-record object (`raw/<source>/<id>.json`, written by `/paper fetch` and by scrapes before issue 14).
 */
export async function readRawRecord(
  blobs: BlobStore,
  rawKey: string,
  sourceId: string,
): Promise<unknown | undefined> {
  const text = await blobs.getText(rawKey);
  if (text === undefined) return undefined;
  if (!rawKey.endsWith('.jsonl')) return JSON.parse(text) as unknown;
  // Each line starts with its source id exactly as rawPageOf wrote it, so only the matching line is parsed.
  const prefix = `{"sourceId":${JSON.stringify(sourceId)},`;
  const line = text.split('\n').find((candidate) => candidate.startsWith(prefix));
  return line === undefined ? undefined : (JSON.parse(line) as { record: unknown }).record;
}
