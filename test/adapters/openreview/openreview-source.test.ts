import { afterEach, describe, expect, it } from 'vitest';
import {
  connectOpenReview,
  createOpenReviewSource,
  OpenReviewAccessError,
  OpenReviewLoginError,
  UnsupportedApiVersionError,
  type OpenReviewListing,
} from '../../../src/adapters/openreview/index.js';
import { PermanentError, TransientError } from '../../../src/errors.js';
import type { SourcePage } from '../../../src/ports/paper-source.js';
import { createLogger } from '../../../src/logging/logger.js';
import { FakeOpenReview, type FakeOpenReviewOptions } from '../../support/fake-openreview.js';
import { generateNotes } from '../../support/openreview-notes.js';
import { recordedResponse } from '../../support/recorded-fixture.js';
import { VirtualClock } from '../../support/virtual-clock.js';

const CREDENTIALS = { username: 'bot@example.org', password: 'correct horse' };
const ICLR_2025 = 'ICLR.cc/2025/Conference';
const logger = createLogger({ level: 'silent' });

let fake: FakeOpenReview;
let clock: VirtualClock;

async function setup(options: FakeOpenReviewOptions = {}, notes = 2500): Promise<void> {
  clock = new VirtualClock();
  fake = await FakeOpenReview.start({ clock, credentials: CREDENTIALS, ...options });
  fake.addVenue(ICLR_2025, generateNotes({ venue: 'ICLR', year: 2025, venueId: ICLR_2025, count: notes }));
}

function client(credentials: typeof CREDENTIALS | 'anonymous' = CREDENTIALS) {
  return connectOpenReview({
    apiUrl: fake.url,
    credentials: credentials === 'anonymous' ? undefined : credentials,
    logger,
    clock,
    sleep: clock.sleep,
  });
}

async function collect(
  listing: Partial<OpenReviewListing> = {},
  openreview = client(),
  cursor?: string,
): Promise<SourcePage[]> {
  const source = createOpenReviewSource(openreview, {
    venue: 'iclr',
    year: 2025,
    includeRejected: false,
    ...listing,
  });
  const pages: SourcePage[] = [];
  for await (const page of source.pages(cursor ? { cursor } : {})) pages.push(page);
  return pages;
}

afterEach(async () => {
  expect(fake.unmatched).toEqual([]);
  await fake.stop();
});

describe('OpenReview source against a loopback fake', () => {
  it('lists 1000 notes a request, stopping at count, and goes on in pages of 250 with resumable cursors', async () => {
    await setup();
    const pages = await collect();
    // Each listing is read a quarter at a time (issue 14: a page's papers stay alive until it is stored).
    expect(pages.map((p) => [p.records.length, p.nextCursor, p.total])).toEqual([
      [250, '0:250', 2500],
      [250, '0:500', 2500],
      [250, '0:750', 2500],
      [250, '0:1000', 2500],
      [250, '0:1250', 2500],
      [250, '0:1500', 2500],
      [250, '0:1750', 2500],
      [250, '0:2000', 2500],
      [250, '0:2250', 2500],
      [250, undefined, 2500],
    ]);
    const listings = fake.requests.filter((r) => r.path === '/notes');
    expect(listings.map((r) => [r.query['content.venueid'], r.query.limit, r.query.offset])).toEqual([
      [ICLR_2025, '1000', '0'],
      [ICLR_2025, '1000', '1000'],
      [ICLR_2025, '1000', '2000'],
    ]);
    const ids = pages.flatMap((p) => p.records.map((r) => r.sourceId));
    expect(new Set(ids).size).toBe(2500);
  });

  it('stops after exactly count / 1000 requests when count is a multiple of the page size', async () => {
    await setup({}, 2000);
    await collect();
    expect(fake.listingRequests()).toBe(2);
  });

  it('resumes from a cursor', async () => {
    await setup();
    const pages = await collect({}, client(), '0:2000');
    expect(pages).toHaveLength(2);
    expect(pages[0]?.records[0]?.paper.title).toMatch(/^Generated paper 2001 /);
  });

  it('resumes from a cursor inside a listing, asking OpenReview from that note on', async () => {
    await setup();
    const pages = await collect({}, client(), '0:1250');
    expect(pages[0]?.records[0]?.paper.title).toMatch(/^Generated paper 1251 /);
    expect(pages.flatMap((p) => p.records)).toHaveLength(1250);
    const listings = fake.requests.filter((r) => r.path === '/notes');
    expect(listings.map((r) => r.query.offset)).toEqual(['1250', '2250']);
  });

  it('logs in once and reuses the token across scrapes', async () => {
    await setup();
    const shared = client();
    await collect({}, shared);
    await collect({}, shared);
    expect(fake.logins).toBe(1);
    const data = fake.requests.filter((r) => r.path !== '/login');
    expect(data.every((r) => r.authorization === 'Bearer fake-token-1')).toBe(true);
    expect(fake.requests.filter((r) => r.path === '/login')).toHaveLength(1);
  });

  it('logs in again when the server says the token expired (401), then continues', async () => {
    await setup({ tokenTtlSeconds: 60 });
    const shared = client();
    await collect({}, shared);
    clock.advance(120_000);
    const pages = await collect({}, shared);
    expect(pages.flatMap((p) => p.records)).toHaveLength(2500);
    expect(fake.logins).toBe(2);
  });

  it('reports the recorded challenge page as an error asking for credentials, never as no papers', async () => {
    await setup();
    const error = await collect({}, client('anonymous')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenReviewAccessError);
    expect((error as OpenReviewAccessError).errorClass).toBe('config');
    expect((error as OpenReviewAccessError).message).toContain('Verifying your browser');
    expect((error as OpenReviewAccessError).hint).toContain('OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD');
  });

  it('reports a 403 ChallengeRequiredError the same way', async () => {
    await setup({ anonymous: 'forbidden' });
    await expect(collect({}, client('anonymous'))).rejects.toThrow(/HTTP 403, ChallengeRequiredError/);
  });

  it('says when the password is wrong', async () => {
    await setup();
    const error = await collect({}, client({ ...CREDENTIALS, password: 'wrong' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenReviewLoginError);
    expect((error as Error).message).toContain('Invalid username or password');
  });

  it('waits for Retry-After on 429 and then continues', async () => {
    await setup();
    const rateLimited = recordedResponse('openreview-v2-error-limit-over-1000.json').response.headers;
    fake.faults.failNext('/notes', 1, {
      status: 429,
      headers: { ...rateLimited, 'retry-after': '7' },
      body: JSON.stringify({ name: 'RateLimitError', message: 'Too many requests', status: 429 }),
    });
    const started = clock.now().getTime();
    const pages = await collect();
    expect(pages.flatMap((p) => p.records)).toHaveLength(2500);
    expect(clock.now().getTime() - started).toBeGreaterThanOrEqual(7000);
    expect(fake.listingRequests()).toBe(4);
  });

  it('backs off on 5xx and gives up with a TransientError when the source stays down', async () => {
    await setup();
    fake.faults.failNext('/notes', 2, { status: 503, body: 'upstream unavailable' });
    expect((await collect()).flatMap((p) => p.records)).toHaveLength(2500);
    fake.faults.failNext('/notes', 20, { status: 502, body: 'bad gateway' });
    await expect(collect()).rejects.toBeInstanceOf(TransientError);
  });

  it('pauses when the rate-limit budget is spent, and refuses to block for an hour', async () => {
    await setup({ rateLimit: { limit: 500, remaining: 2, resetSeconds: 30 } });
    const started = clock.now().getTime();
    await collect({}, client());
    expect(clock.now().getTime() - started).toBeGreaterThanOrEqual(30_000);

    await fake.stop();
    await setup({ rateLimit: { limit: 500, remaining: 1, resetSeconds: 3600 } });
    const error = await collect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryAfterMs).toBe(3_600_000);
  });

  it('refuses API v1 years with a clear error, before any request', async () => {
    await setup();
    const error = await collect({ year: 2023 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedApiVersionError);
    expect((error as Error).message).toBe(
      'ICLR 2023 is on OpenReview API v1, which Sherpa does not read (v2 covers ICLR 2024 and later)',
    );
    expect(fake.requests).toEqual([]);
  });

  it('refuses a venue whose group has no domain (v1) and a venue that does not exist', async () => {
    await setup();
    fake.addVenue('ICLR.cc/2026/Conference', [], { apiV1: true });
    await expect(collect({ year: 2026 })).rejects.toBeInstanceOf(UnsupportedApiVersionError);
    const missing = await collect({ year: 2031 }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PermanentError);
    expect((missing as Error).message).toBe('OpenReview has no venue ICLR.cc/2031/Conference');
  });

  it('refuses v1-shaped notes (the recorded legacy listing) instead of skipping them all', async () => {
    await setup();
    const v1 = recordedResponse('openreview-v1-iclr2022-notes-blind-listing-scrubbed.json').response.json as {
      notes: unknown[];
    };
    fake.setNotes(ICLR_2025, v1.notes);
    await expect(collect()).rejects.toThrow(/returned API v1 notes/);
  });

  it('reads rejected and withdrawn papers only when asked, classified by venue id', async () => {
    await setup({}, 3);
    fake.setNotes(
      `${ICLR_2025}/Rejected_Submission`,
      generateNotes({
        venue: 'ICLR',
        year: 2025,
        venueId: `${ICLR_2025}/Rejected_Submission`,
        count: 2,
        start: 100,
      }),
    );
    fake.setNotes(
      `${ICLR_2025}/Withdrawn_Submission`,
      generateNotes({
        venue: 'ICLR',
        year: 2025,
        venueId: `${ICLR_2025}/Withdrawn_Submission`,
        count: 1,
        start: 200,
      }),
    );
    const accepted = await collect();
    expect(accepted.flatMap((p) => p.records.map((r) => r.paper.presentation))).toEqual([
      'spotlight',
      'oral',
      'poster',
    ]);
    const all = await collect({ includeRejected: true });
    expect(all.flatMap((p) => p.records.map((r) => r.paper.presentation))).toEqual([
      'spotlight',
      'oral',
      'poster',
      'rejected',
      'rejected',
      'withdrawn',
    ]);
    expect(all.at(-1)?.total).toBe(6);
  });

  it("maps OpenReview's 400 ValidationError to a permanent error with its message", async () => {
    await setup();
    const error = await client()
      .listNotes({ 'content.venueid': ICLR_2025, limit: '1001' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toContain('limit must be <= 1000');
  });
});
