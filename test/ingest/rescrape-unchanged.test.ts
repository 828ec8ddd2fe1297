import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createSourceFactory } from '../../src/compose/create-paper-sources.js';
import type { Paper } from '../../src/domain/paper.js';
import { runScrape } from '../../src/ingest/run-scrape.js';
import type { IngestEntry } from '../../src/ports/paper-store.js';
import type { PaperSourceFactory } from '../../src/ports/paper-source.js';
import type { ScrapeRequest } from '../../src/ingest/scrape-request.js';
import { capturedLogger } from '../support/captured-logger.js';
import { FakeOpenReview } from '../support/fake-openreview.js';
import { ingestHarness, type IngestHarness } from '../support/ingest-harness.js';
import { generateNotes } from '../support/openreview-notes.js';
import { VirtualClock } from '../support/virtual-clock.js';

/**
 * Issue 14: a re-scrape leaves out, unread, every note the store holds exactly as OpenReview sends it (its
 * fingerprint), and reads the rest as before.
 */
const ICLR_2025 = 'ICLR.cc/2025/Conference';
const ICLR: ScrapeRequest = { kind: 'venue', venue: 'iclr', year: 2025, includeRejected: false };

let openreview: FakeOpenReview;
let clock: VirtualClock;
let harness: IngestHarness;
let sources: PaperSourceFactory;
/** What reached the store's page writes, one array per page. */
let written: IngestEntry[][];

beforeEach(async () => {
  clock = new VirtualClock('2026-11-23T06:00:00Z');
  openreview = await FakeOpenReview.start({
    clock,
    credentials: { username: 'bot@example.org', password: 'secret' },
  });
  openreview.addVenue(ICLR_2025, notes());
  const { logger } = capturedLogger();
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_APP_TOKEN: 'xapp-test',
    SLACK_CHANNEL: 'C0TESTCHAN',
    APPROVERS: 'U0APPROVER1',
    OPENREVIEW_API_URL: openreview.url,
    OPENREVIEW_USERNAME: 'bot@example.org',
    OPENREVIEW_PASSWORD: 'secret',
  });
  harness = ingestHarness({ config, clock, logger });
  sources = createSourceFactory({
    sources: config.sources,
    logger,
    clock,
    sleep: clock.sleep,
    openreviewPageSize: 100,
  });
  written = [];
  const papers = harness.deps.papers;
  const outboxFor = papers.outboxFor!.bind(papers);
  papers.outboxFor = (queue) => {
    const outbox = outboxFor(queue)!;
    return {
      ...outbox,
      ingestMany: (items, message) => {
        written.push([...items]);
        return outbox.ingestMany(items, message);
      },
    };
  };
});

afterEach(async () => {
  harness.close();
  harness.remove();
  expect(openreview.unmatched).toEqual([]);
  await openreview.stop();
});

function notes() {
  return generateNotes({ venue: 'ICLR', year: 2025, venueId: ICLR_2025, count: 250 });
}

async function allPapers(): Promise<Paper[]> {
  return harness.deps.papers.listByState(['scraped'], { limit: 1000 });
}

describe('re-scrape of notes the store holds exactly so', () => {
  it('touches nothing: no store write, no raw page, no queue message, every paper as it was', async () => {
    await runScrape(harness.deps, sources, ICLR);
    expect(written.flat()).toHaveLength(250);
    expect(written.flat().every((entry) => entry.fingerprint)).toBe(true);
    const before = await allPapers();
    const blobs = await harness.deps.blobs.list('raw/');
    await harness.deps.queues.judge.receive({ max: 1000, visibilitySeconds: 3600 });
    written = [];
    clock.advance(60_000);

    const again = await runScrape(harness.deps, sources, ICLR);
    expect(again.tally).toEqual({ fetched: 250, new: 0, duplicates: 250, skipped: 0, unmatched: 0 });
    expect(written).toEqual([]);
    expect(await allPapers()).toEqual(before);
    expect(await harness.deps.blobs.list('raw/')).toEqual(blobs);
    expect((await harness.deps.queues.judge.depth()).visible).toBe(0);
  });

  it('reads and merges a changed note, and only that one', async () => {
    await runScrape(harness.deps, sources, ICLR);
    const changed = notes();
    const note = changed[120] as { id: string; content: Record<string, { value: unknown }> };
    note.content.keywords = { value: ['a keyword added upstream'] };
    openreview.setNotes(ICLR_2025, changed);
    written = [];
    clock.advance(60_000);

    const again = await runScrape(harness.deps, sources, ICLR);
    expect(again.tally).toMatchObject({ fetched: 250, new: 0, duplicates: 250 });
    expect(written.map((page) => page.map((entry) => entry.paper.sourceId))).toEqual([[note.id]]);
    const paper = await harness.deps.papers.findBySourceKey(`openreview:${note.id}`);
    expect(paper).toMatchObject({
      version: 2,
      keywords: expect.arrayContaining(['a keyword added upstream']),
    });

    // Its new fingerprint is kept: the scrape after reads nothing again.
    written = [];
    clock.advance(60_000);
    await runScrape(harness.deps, sources, ICLR);
    expect(written).toEqual([]);
  });

  it('reads every note where each one counts: --query and --limit', async () => {
    await runScrape(harness.deps, sources, ICLR);
    written = [];
    const matched = await runScrape(harness.deps, sources, { ...ICLR, query: 'paper 7' });
    const { duplicates, unmatched } = matched.tally;
    expect(duplicates + unmatched).toBe(250);
    expect(unmatched).toBeGreaterThan(0);
    expect(written.flat()).toHaveLength(duplicates);
    written = [];
    const limited = await runScrape(harness.deps, sources, { ...ICLR, limit: 150 });
    expect(limited.tally).toMatchObject({ new: 0, duplicates: 150 });
    expect(written.flat()).toHaveLength(150);
  });
});
