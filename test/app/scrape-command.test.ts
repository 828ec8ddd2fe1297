import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenReview } from '../support/fake-openreview.js';
import { generateNotes } from '../support/openreview-notes.js';
import { startSherpa, type SherpaHarness } from '../support/start-sherpa.js';

const ICLR_2025 = 'ICLR.cc/2025/Conference';
const CREDENTIALS = { username: 'bot@example.org', password: 'correct horse' };

describe('/scrape through the Slack fake, against a loopback OpenReview', () => {
  let sherpa: SherpaHarness;
  let openreview: FakeOpenReview;

  beforeAll(async () => {
    openreview = await FakeOpenReview.start({ credentials: CREDENTIALS });
    openreview.addVenue(
      ICLR_2025,
      generateNotes({ venue: 'ICLR', year: 2025, venueId: ICLR_2025, count: 1500 }),
    );
    sherpa = await startSherpa({
      env: {
        OPENREVIEW_API_URL: openreview.url,
        OPENREVIEW_USERNAME: CREDENTIALS.username,
        OPENREVIEW_PASSWORD: CREDENTIALS.password,
      },
    });
  });
  afterAll(async () => {
    await sherpa?.stop();
    await openreview?.stop();
  });

  const channel = () => sherpa.config.slack.channel;
  const summary = (prefix: string) =>
    sherpa.fake.waitForCall(
      'chat.update',
      (c) => c.args.channel === channel() && String(c.args.text).startsWith(prefix),
      { timeoutMs: 15_000 },
    );

  it('acks at once, posts one progress message, updates it in place and ends with the summary', async () => {
    const release = openreview.pauseListings();
    const sent = await sherpa.fake.sendSlashCommand('/scrape', 'iclr 2025');
    const ack = await sherpa.fake.waitForAck(sent.envelopeId);
    expect(ack.latencyMs).toBeLessThan(3000);
    const reply = await sherpa.fake.waitForCall(
      'response_url',
      (c) => c.responseUrlId === sent.responseUrlId,
    );
    expect(reply.args.text).toMatch(
      /^:mag: Scraping started; follow <https:\/\/slack\.com\/archives\/.+\|the progress message>\.$/,
    );
    const posted = await sherpa.fake.waitForCall('chat.postMessage', (c) => c.args.channel === channel());
    const ts = (posted.response as { ts: string }).ts;
    expect(posted.args.text).toMatch(/^Scraping ICLR 2025: 0 fetched/);

    // While the scrape waits on OpenReview, a second /scrape of the same venue-year points at the first.
    const second = await sherpa.fake.sendSlashCommand('/scrape', 'iclr 2025 --include-rejected');
    const busy = await sherpa.fake.waitForCall(
      'response_url',
      (c) => c.responseUrlId === second.responseUrlId,
    );
    expect(busy.args.text).toContain('A scrape of ICLR 2025 is already running');
    expect(busy.args.text).toContain(`|see its progress>`);
    expect(busy.args.text).toContain(`p${ts.replace('.', '')}`);
    release();

    const done = await summary('Scraped ICLR 2025');
    expect(done.args.ts).toBe(ts);
    expect(done.args.text).toContain('1,500 / 1,500 fetched · 1,500 new · 0 duplicates · 0 skipped');
    expect(JSON.stringify(done.args.blocks)).toContain('1,500 new papers queued for judging');
    const updates = sherpa.fake.calls('chat.update').filter((c) => c.args.ts === ts);
    // The first page of the scrape: a quarter of OpenReview's first 1,000-note listing.
    expect(updates[0]?.args.text).toMatch(/^Scraping ICLR 2025: 250 \/ 1,500 fetched · 250 new/);
    // One message in the channel for the whole scrape; everything else was an edit of it.
    expect(sherpa.fake.calls('chat.postMessage').filter((c) => c.args.channel === channel())).toHaveLength(1);
    const counts = await sherpa.deps.papers.countByState();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(1500);
    expect(openreview.logins).toBe(1);
  });

  it('a repeated scrape reports 0 new', async () => {
    const sent = await sherpa.fake.sendSlashCommand('/scrape', 'iclr 2025');
    await sherpa.fake.waitForCall('response_url', (c) => c.responseUrlId === sent.responseUrlId);
    const done = await summary('Scraped ICLR 2025: 1,500 / 1,500 fetched · 0 new');
    expect(done.args.text).toContain('1,500 duplicates');
    expect(JSON.stringify(done.args.blocks)).toContain('no new papers');
    expect(openreview.logins).toBe(1);
  });

  it('a source that stays down gets the reason in the progress thread', async () => {
    openreview.addVenue('NeurIPS.cc/2024/Conference', []);
    openreview.faults.failNext('/groups', 1, {
      status: 403,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ChallengeRequiredError', message: 'Challenge required', status: 403 }),
    });
    const sent = await sherpa.fake.sendSlashCommand('/scrape', 'neurips 2024');
    await sherpa.fake.waitForCall('response_url', (c) => c.responseUrlId === sent.responseUrlId);
    const stopped = await summary('Scrape stopped NeurIPS 2024');
    const thread = await sherpa.fake.waitForCall(
      'chat.postMessage',
      (c) => c.args.thread_ts === stopped.args.ts,
    );
    expect(thread.args.text).toContain('OpenReview refused');
    expect(thread.args.text).toContain('/scrape neurips 2024');
  });
});
