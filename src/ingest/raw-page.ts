import { createHash } from 'node:crypto';
import type { SourceName } from '../domain/paper.js';
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
  rawJson?: string | undefined;
}

export interface RawPage {
  key: string;
  /** UTF-8, encoded once: hashed and written from the same bytes. */
  body: Buffer;
}

export const RAW_PAGE_CONTENT_TYPE = 'application/x-ndjson';

export function rawPageOf(source: SourceName, records: readonly RawRecord[]): RawPage {
  // With rawJson, the line JSON.stringify({ sourceId, record }) would give, from the source's own bytes.
  const lines = records.map(({ sourceId, raw, rawJson }) =>
    rawJson === undefined
      ? `${JSON.stringify({ sourceId, record: raw })}\n`
      : `{"sourceId":${JSON.stringify(sourceId)},"record":${rawJson}}\n`,
  );
  const body = Buffer.from(lines.join(''), 'utf8');
  const digest = createHash('sha256').update(body).digest('hex');
  return { key: `raw/${source}/pages/${digest}.jsonl`, body };
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
