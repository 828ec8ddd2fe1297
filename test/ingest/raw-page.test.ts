import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../../src/adapters/embedded/index.js';
import { keepRawPage, rawPageOf, readRawRecord } from '../../src/ingest/raw-page.js';

let dir: string;
let blobs: FileBlobStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sherpa-raw-page-'));
  blobs = new FileBlobStore(dir);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const records = [
  { sourceId: 'abc', raw: { id: 'abc', content: { title: { value: 'First' } } } },
  { sourceId: 'hep-th/9901001', raw: { id: 'hep-th/9901001', note: 'line\nbreak "quoted"' } },
  { sourceId: 'abcd', raw: { id: 'abcd' } },
];

describe('raw records kept one object per listing page', () => {
  it('names the page by its content and source, as JSON Lines', async () => {
    const page = await rawPageOf('arxiv', records);
    expect(page.key).toMatch(/^raw\/arxiv\/pages\/[0-9a-f]{64}\.jsonl$/);
    expect(page.body.toString('utf8').trimEnd().split('\n')).toHaveLength(3);
    expect((await rawPageOf('arxiv', records)).key).toBe(page.key);
    expect((await rawPageOf('arxiv', records.slice(1))).key).not.toBe(page.key);
    expect((await rawPageOf('openreview', records)).key).not.toBe(page.key);
  });

  it('finds each record by its exact source id, and nothing for an id not on the page', async () => {
    const page = await rawPageOf('arxiv', records);
    await keepRawPage(blobs, page);
    for (const { sourceId, raw } of records)
      expect(await readRawRecord(blobs, page.key, sourceId)).toEqual(raw);
    expect(await readRawRecord(blobs, page.key, 'ab')).toBeUndefined();
    expect(await readRawRecord(blobs, 'raw/arxiv/pages/missing.jsonl', 'abc')).toBeUndefined();
  });

  it('keeping the same page twice writes it once', async () => {
    const page = await rawPageOf('openreview', records);
    await keepRawPage(blobs, page);
    await keepRawPage(blobs, page);
    expect(await blobs.list('raw/')).toEqual([page.key]);
  });

  it('a page built in several slices is byte for byte the page built at once, named by its sha256', async () => {
    // Enough records that building them takes several slices of the event loop on any machine.
    const many = Array.from({ length: 60_000 }, (_, i) => ({ sourceId: `n${i}`, raw: { id: `n${i}`, i } }));
    const page = await rawPageOf('openreview', many);
    const expected = many.map((r) => `${JSON.stringify({ sourceId: r.sourceId, record: r.raw })}\n`).join('');
    expect(page.body.toString('utf8')).toBe(expected);
    const digest = createHash('sha256').update(Buffer.from(expected, 'utf8')).digest('hex');
    expect(page.key).toBe(`raw/openreview/pages/${digest}.jsonl`);
  });

  it('still reads single-record objects (`/paper fetch`, scrapes before issue 14)', async () => {
    await blobs.put('raw/openreview/abc.json', JSON.stringify(records[0]!.raw));
    expect(await readRawRecord(blobs, 'raw/openreview/abc.json', 'abc')).toEqual(records[0]!.raw);
  });
});
