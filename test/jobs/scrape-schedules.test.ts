import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startScrapeJobs } from '../../jobs/scrape-schedules.js';
import { ScrapeCheckpoints } from '../../src/ingest/scrape-checkpoint.js';
import { ScrapeService } from '../../src/ingest/scrape-service.js';
import { createSourceFactory } from '../../src/compose/create-paper-sources.js';
import { capturedLogger } from '../support/captured-logger.js';
import { embeddedCoreDeps, type EmbeddedCoreDeps } from '../support/embedded-core-deps.js';
import { FakeArxiv } from '../support/fake-arxiv.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';
import { VirtualClock } from '../support/virtual-clock.js';

interface Scheduled {
  expression: string;
  timeZone: string;
  task: () => Promise<void>;
  stopped: boolean;
}

let slack: SlackFake;
let arxiv: FakeArxiv;
let embedded: EmbeddedCoreDeps;
let logs: ReturnType<typeof capturedLogger>;
let scheduled: Scheduled[];
const virtual = new VirtualClock('2026-11-23T05:00:00Z');

function service(): ScrapeService {
  const sources = createSourceFactory({
    sources: embedded.deps.config.sources,
    logger: logs.logger,
    clock: virtual,
    sleep: virtual.sleep,
  });
  return new ScrapeService(embedded.deps, sources);
}

function start() {
  scheduled = [];
  return startScrapeJobs(embedded.deps, {
    service: service(),
    scheduler: {
      schedule: (expression, timeZone, task) => {
        const entry: Scheduled = { expression, timeZone, task, stopped: false };
        scheduled.push(entry);
        return { stop: () => void (entry.stopped = true) };
      },
    },
  });
}

beforeEach(async () => {
  slack = await startSlackFake();
  arxiv = await FakeArxiv.start({ total: 5, clock: virtual });
  logs = capturedLogger();
  embedded = embeddedCoreDeps(slack, {
    env: { ARXIV_API_URL: arxiv.url, ARXIV_PAGE_SIZE: '2', OPENREVIEW_API_URL: 'http://127.0.0.1:9' },
    logger: logs.logger,
  });
});

afterEach(async () => {
  embedded.close();
  await arxiv.stop();
  await slack.close();
});

describe('scheduled scrapes', () => {
  it('schedules arXiv daily at 06:00 in the configured time zone', async () => {
    const jobs = start();
    expect(scheduled.map((s) => [s.expression, s.timeZone])).toEqual([['0 6 * * *', 'Europe/Berlin']]);
    await jobs.stop();
    expect(scheduled[0]?.stopped).toBe(true);
  });

  it('runs the scheduled scrape, posts its summary, and skips a run while the previous one is going', async () => {
    const jobs = start();
    const first = scheduled[0]!.task();
    const second = scheduled[0]!.task();
    await Promise.all([first, second]);
    expect(
      logs.lines.filter((l) => l.msg === 'previous scrape still running; this scheduled run is skipped'),
    ).toHaveLength(1);
    const summary = slack.calls('chat.update').at(-1);
    expect(summary?.args.text).toMatch(/^Scraped arXiv: 5 \/ 5 fetched · 5 new/);
    expect(JSON.stringify(summary?.args.blocks)).toContain('started by schedule');
    expect(arxiv.requests).toHaveLength(3);
    await jobs.stop();
  });

  it('keeps the position when arXiv stays down, says so in the thread, and the next run continues', async () => {
    const jobs = start();
    arxiv.faults.failNext('/api/query', 5, { status: 503, body: 'Service Unavailable' });
    await scheduled[0]!.task();
    const thread = slack.calls('chat.postMessage').find((c) => c.args.thread_ts !== undefined);
    expect(thread?.args.text).toContain('arxiv did not answer after 5 attempts (HTTP 503)');
    expect(thread?.args.text).toContain('the next scheduled run, or `/scrape arxiv`, continues from here');
    const checkpoint = await new ScrapeCheckpoints(embedded.deps.coordination).load('arxiv');
    expect(checkpoint).toBeDefined();

    await scheduled[0]!.task();
    expect(slack.calls('chat.update').at(-1)?.args.text).toMatch(/^Scraped arXiv: 5 \/ 5 fetched · 5 new/);
    expect(await new ScrapeCheckpoints(embedded.deps.coordination).load('arxiv')).toBeUndefined();
    await jobs.stop();
  });

  it('resumes an unfinished scrape at startup and finishes it in the same progress message', async () => {
    const crashed = service();
    const started = await crashed.start({ kind: 'arxiv' }, { startedBy: 'schedule' });
    if (started.kind !== 'started') throw new Error('expected a start');
    await crashed.stop(); // shutdown at a page boundary: the checkpoint stays
    const checkpoint = await new ScrapeCheckpoints(embedded.deps.coordination).load('arxiv');
    expect(checkpoint?.progress?.ts).toBe(started.progress?.ts);

    const jobs = start();
    await slack.waitForCall(
      'chat.update',
      (c) => c.args.ts === started.progress?.ts && String(c.args.text).startsWith('Scraped arXiv'),
      { timeoutMs: 15_000 },
    );
    expect(JSON.stringify(slack.calls('chat.update').at(-1)?.args.blocks)).toContain('started by a restart');
    expect((await embedded.deps.queues.judge.depth()).visible).toBe(5);
    await jobs.stop();
  });

  it('logs a schedule it cannot run instead of starting it', async () => {
    embedded.deps.config.sources.schedules = [
      { source: 'iclr', cron: '0 7 * * 1' },
      { source: 'arxiv', cron: 'every day' },
      { source: 'neurips', year: 2025, cron: '0 8 1 * *' },
    ];
    const jobs = start();
    expect(scheduled.map((s) => s.expression)).toEqual(['0 8 1 * *']);
    expect(logs.lines.find((l) => l.msg === 'scrape scheduled')).toMatchObject({ scrape: 'neurips-2025' });
    expect(logs.lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'scheduled scrape not started: schedule for iclr needs a year (for example year: 2025)',
        'scheduled scrape not started: "every day" is not a cron expression',
      ]),
    );
    await jobs.stop();
  });
});
