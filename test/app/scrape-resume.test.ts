import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeOpenReview } from '../support/fake-openreview.js';
import { generateNotes } from '../support/openreview-notes.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const ICLR_2025 = 'ICLR.cc/2025/Conference';
const CREDENTIALS = { username: 'bot@example.org', password: 'correct horse' };
/** What `npm start` runs (package.json `scripts.start`): `node --import tsx src/main.ts`. */
const [, ...START_ARGS] = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start.split(' ');

/**
 * A crash during a scrape, for real (issue 11, item 7): Sherpa runs as a child process (what `npm start` runs),
 * starts `/scrape iclr 2025` while OpenReview holds its listing, and is killed with SIGKILL, so its lease, its
 * "running" record and its checkpoint stay behind in DATA_DIR. A new Sherpa on the same DATA_DIR and machine
 * sees that the lease's process is gone and resumes at once: a `/scrape` of the same venue-year answers that it
 * is being resumed, with a link to the progress message the dead process posted, and that message ends as the
 * summary. Before, the new Sherpa waited about 95 s for the lease to expire and said "already running".
 */
describe('a /scrape after a crash mid-scrape', () => {
  let fake: SlackFake | undefined;
  let openreview: FakeOpenReview | undefined;
  let sherpa: SherpaHarness | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'sherpa-crash-'));
  afterAll(async () => {
    await sherpa?.stop();
    await openreview?.stop();
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is answered at once that it is being resumed, with a link to the progress message', async () => {
    fake = await startSlackFake();
    openreview = await FakeOpenReview.start({ credentials: CREDENTIALS });
    openreview.addVenue(
      ICLR_2025,
      generateNotes({ venue: 'ICLR', year: 2025, venueId: ICLR_2025, count: 40 }),
    );
    const release = openreview.pauseListings();
    const sources = {
      OPENREVIEW_API_URL: openreview.url,
      OPENREVIEW_USERNAME: CREDENTIALS.username,
      OPENREVIEW_PASSWORD: CREDENTIALS.password,
    };

    const child = spawn(process.execPath, START_ARGS, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        SHERPA_ENV_FILE: '/nonexistent/.env',
        ...fake.env(),
        ...sources,
        APPROVERS: TEST_APPROVER,
        DATA_DIR: dataDir,
        LOG_FORMAT: 'json',
        TIMEZONE: 'UTC',
        ARXIV_API_URL: 'http://127.0.0.1:9/api/query',
        MLSYS_PROCEEDINGS_URL: 'http://127.0.0.1:9',
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:9',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      stdio: 'ignore',
      detached: true,
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let crashedTs = '';
    try {
      await fake.waitForConnection({ timeoutMs: 90_000 });
      const sent = await fake.sendSlashCommand('/scrape', 'iclr 2025', TEST_APPROVER);
      const started = await fake.waitForCall('response_url', (c) => c.responseUrlId === sent.responseUrlId, {
        timeoutMs: 30_000,
      });
      expect(started.args.text).toContain('Scraping started');
      const progress = await fake.waitForCall('chat.postMessage', (c) =>
        String(c.args.text).startsWith('Scraping ICLR 2025'),
      );
      crashedTs = (progress.response as { ts: string }).ts;
      // The checkpoint is written before the first listing request, which OpenReview now holds.
      await expect.poll(() => openreview?.listingRequests(), { timeout: 30_000 }).toBeGreaterThan(0);
    } finally {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }
    await exited;
    release();

    sherpa = await startSherpa({ fake, env: { ...sources, DATA_DIR: dataDir } });
    const again = await fake.sendSlashCommand('/scrape', 'iclr 2025', TEST_APPROVER);
    const answer = await fake.waitForCall('response_url', (c) => c.responseUrlId === again.responseUrlId);
    const progressTs = crashedTs;
    expect(answer.args.text).toMatch(/^:repeat: The interrupted scrape of ICLR 2025 is being resumed/);
    expect(answer.args.text).toContain(`p${progressTs.replace('.', '')}|its progress message>`);
    expect(answer.args.text).not.toContain('already running');

    // The resumed scrape keeps the dead process's message and ends it as the summary; no second message.
    const done = await fake.waitForCall(
      'chat.update',
      (c) => c.args.ts === progressTs && String(c.args.text).startsWith('Scraped ICLR 2025'),
      { timeoutMs: 30_000 },
    );
    expect(done.args.text).toContain('40 / 40 fetched · 40 new');
    expect(
      fake.calls('chat.postMessage').filter((c) => String(c.args.text).startsWith('Scraping ICLR 2025')),
    ).toHaveLength(1);
  }, 180_000);
});
