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
  it('names the page by its content and source, as JSON Lines', () => {
    const page = rawPageOf('arxiv', records);
    expect(page.key).toMatch(/^raw\/arxiv\/pages\/[0-9a-f]{64}\.jsonl$/);
    expect(page.body.toString('utf8').trimEnd().split('\n')).toHaveLength(3);
    expect(rawPageOf('arxiv', records).key).toBe(page.key);
    expect(rawPageOf('arxiv', records.slice(1)).key).not.toBe(page.key);
    expect(rawPageOf('openreview', records).key).not.toBe(page.key);
  });

  it('finds each record by its exact source id, and nothing for an id not on the page', async () => {
    const page = rawPageOf('arxiv', records);
    await keepRawPage(blobs, page);
    for (const { sourceId, raw } of records)
      expect(await readRawRecord(blobs, page.key, sourceId)).toEqual(raw);
    expect(await readRawRecord(blobs, page.key, 'ab')).toBeUndefined();
    expect(await readRawRecord(blobs, 'raw/arxiv/pages/missing.jsonl', 'abc')).toBeUndefined();
  });

  it('keeping the same page twice writes it once', async () => {
    const page = rawPageOf('openreview', records);
    await keepRawPage(blobs, page);
    await keepRawPage(blobs, page);
    expect(await blobs.list('raw/')).toEqual([page.key]);
  });

  it('still reads single-record objects (`/paper fetch`, scrapes before issue 14)', async () => {
    await blobs.put('raw/openreview/abc.json', JSON.stringify(records[0]!.raw));
    expect(await readRawRecord(blobs, 'raw/openreview/abc.json', 'abc')).toEqual(records[0]!.raw);
  });
});
