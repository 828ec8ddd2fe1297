import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScrapeThread } from '../../src/compose/scrape-thread.js';
import { receivedError, sendableError } from '../../src/compose/scrape-thread-protocol.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { ScrapeProgress } from '../../src/domain/scrape.js';
import { PermanentError, SherpaError, TransientError } from '../../src/errors.js';
import { capturedLogger } from '../support/captured-logger.js';
import { FakeOpenReview } from '../support/fake-openreview.js';
import { until } from '../support/message-probes.js';
import { generateNotes } from '../support/openreview-notes.js';
import { startSherpa, type SherpaHarness } from '../support/start-sherpa.js';

const ICLR_2025 = 'ICLR.cc/2025/Conference';
const CREDENTIALS = { username: 'bot@example.org', password: 'correct horse' };
const REQUEST = { kind: 'venue', venue: 'iclr', year: 2025, includeRejected: false } as const;

describe('scrapes on a thread of their own (issue 14, item 3)', () => {
  let openreview: FakeOpenReview;

  beforeAll(async () => {
    openreview = await FakeOpenReview.start({ credentials: CREDENTIALS });
    openreview.addVenue(
      ICLR_2025,
      generateNotes({ venue: 'ICLR', year: 2025, venueId: ICLR_2025, count: 600 }),
    );
  });
  afterAll(async () => {
    await openreview?.stop();
  });

  describe('through the app', () => {
    let sherpa: SherpaHarness;
    beforeAll(async () => {
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
    });

    it('runs /scrape on the scrape thread, into the bot store, with its lines in the bot log', async () => {
      expect(sherpa.deps.scrapeRunner).toBeInstanceOf(ScrapeThread);
      await sherpa.fake.sendSlashCommand('/scrape', 'iclr 2025');
      await sherpa.fake.waitForCall(
        'chat.update',
        (c) => String(c.args.text).startsWith('Scraped ICLR 2025'),
        { timeoutMs: 15_000 },
      );
      const counts = await sherpa.deps.papers.countByState();
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(600);
      // The thread's own lines, relayed to the bot's logger: the scrape ran there.
      expect(sherpa.logs.find('scrape finished')).toEqual([
        expect.objectContaining({ thread: 'scrape', tally: expect.objectContaining({ new: 600 }) }),
      ]);
    });
  });

  describe('the runner', () => {
    let dataDir: string;
    let thread: ScrapeThread | undefined;
    const configFor = (password: string) =>
      loadConfig({
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_APP_TOKEN: 'xapp-test',
        SLACK_CHANNEL: 'C0123456789',
        APPROVERS: 'U0APPROVER1',
        DATA_DIR: dataDir,
        OPENREVIEW_API_URL: openreview.url,
        OPENREVIEW_USERNAME: CREDENTIALS.username,
        OPENREVIEW_PASSWORD: password,
      });

    beforeAll(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'sherpa-scrape-thread-'));
    });
    afterEach(async () => {
      await thread?.close();
      thread = undefined;
    });
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    it('reports progress, wakes the judge consumer, and stops when aborted, to resume later', async () => {
      const { logger } = capturedLogger('info');
      let stored = 0;
      thread = new ScrapeThread({
        config: configFor(CREDENTIALS.password),
        logger,
        onStored: () => stored++,
      });
      const controller = new AbortController();
      const seen: ScrapeProgress[] = [];
      let started!: () => void;
      const startedReading = new Promise<void>((resolve) => (started = resolve));
      const release = openreview.pauseListings();
      const first = thread.run(REQUEST, {
        signal: controller.signal,
        onProgress: async (progress) => {
          seen.push(progress);
          started();
        },
      });
      // The thread reports before the first page, then waits on the paused listing: stopped there.
      await startedReading;
      controller.abort();
      await expect(first).rejects.toThrow();
      release();
      expect(seen).toEqual([
        expect.objectContaining({ resumed: false, tally: expect.objectContaining({ fetched: 0 }) }),
      ]);
      expect(stored).toBe(0);

      const resumed = await thread.run(REQUEST, { onProgress: async (progress) => void seen.push(progress) });
      expect(resumed).toMatchObject({ resumed: true, tally: { new: 600, duplicates: 0 } });
      // After each of the three pages that stored new papers (the last one's count comes with the result).
      expect(stored).toBe(3);
      expect(seen.at(-1)?.tally.new).toBe(500);
    });

    it('fails a scrape with the error class and hint it had in the thread', async () => {
      const { logger } = capturedLogger('info');
      thread = new ScrapeThread({ config: configFor('wrong password'), logger });
      const failed: unknown = await thread.run(REQUEST).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(SherpaError);
      expect(failed).toMatchObject({ errorClass: 'config', name: 'OpenReviewLoginError' });
      expect((failed as SherpaError).hint).toBeTruthy();
    });

    it('fails the scrape when its progress cannot be reported, as it would in this thread', async () => {
      const { logger } = capturedLogger('info');
      thread = new ScrapeThread({ config: configFor(CREDENTIALS.password), logger });
      const run = thread.run(REQUEST, {
        onProgress: async () => {
          throw new Error('Slack is down');
        },
      });
      await expect(run).rejects.toThrow('Slack is down');
    });

    it('fails a scrape whose DATA_DIR cannot hold the store, and composes again for the next one', async () => {
      const { logger } = capturedLogger('info');
      const blocked = join(dataDir, 'not-a-directory');
      writeFileSync(blocked, 'a file where DATA_DIR should be');
      thread = new ScrapeThread({ config: { ...configFor(CREDENTIALS.password), dataDir: blocked }, logger });
      const failed: unknown = await thread.run({ ...REQUEST, limit: 5 }).catch((error: unknown) => error);
      expect(failed).toMatchObject({ errorClass: 'config', message: expect.stringContaining('DATA_DIR') });
      rmSync(blocked);
      expect(await thread.run({ ...REQUEST, limit: 5 })).toMatchObject({ tally: { new: 5 } });
    });

    it('starts the thread ahead of a scrape, and lets a thread that no scrape used go like an idle one', async () => {
      const { logger } = capturedLogger('info');
      thread = new ScrapeThread({ config: configFor(CREDENTIALS.password), logger, idleExitMs: 100 });
      const letGo = (t: ScrapeThread) =>
        until('the idle scrape thread to be let go', () => !t.started, 10_000, 20);
      expect(thread.started).toBe(false);
      thread.prepare();
      expect(thread.started).toBe(true);
      // A scrape right after runs on it, and the thread stays while it does.
      expect(await thread.run({ ...REQUEST, limit: 5 })).toMatchObject({ key: 'iclr-2025' });
      await letGo(thread);
      expect(thread.started).toBe(false);
      // Prepared for a scrape that never came (its progress message failed, say): let go all the same.
      thread.prepare();
      expect(thread.started).toBe(true);
      await letGo(thread);
      expect(thread.started).toBe(false);
    });

    it('lets an idle thread go and starts a new one for the next scrape', async () => {
      const { logger, lines } = capturedLogger('info');
      thread = new ScrapeThread({ config: configFor(CREDENTIALS.password), logger, idleExitMs: 10 });
      await thread.run({ ...REQUEST, limit: 5 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await thread.run({ ...REQUEST, limit: 5 });
      const opened = lines.filter((line) => line.msg === 'embedded database opened');
      expect(opened).toHaveLength(2);
      expect(opened.every((line) => line.thread === 'scrape')).toBe(true);
    });
  });
});

describe('errors across the scrape thread', () => {
  it('keep their class, hint, retry delay, name and stack', () => {
    const transient = receivedError(
      sendableError(new TransientError('OpenReview is down', { hint: 'Try later', retryAfterMs: 900 })),
    );
    expect(transient).toBeInstanceOf(TransientError);
    expect(transient).toMatchObject({ message: 'OpenReview is down', hint: 'Try later', retryAfterMs: 900 });
    const permanent = new PermanentError('No such venue');
    const back = receivedError(sendableError(permanent));
    expect(back).toBeInstanceOf(PermanentError);
    expect(back.stack).toBe(permanent.stack);
    const plain = receivedError(sendableError(new RangeError('bad offset')));
    expect(plain).not.toBeInstanceOf(SherpaError);
    expect(plain).toMatchObject({ name: 'RangeError', message: 'bad offset' });
  });
});
