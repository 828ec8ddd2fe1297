import { afterEach, beforeEach, expect, it } from 'vitest';
import { createSourceFactory } from '../../src/compose/create-paper-sources.js';
import { runScrape } from '../../src/ingest/run-scrape.js';
import { ScrapeService } from '../../src/ingest/scrape-service.js';
import type { ScrapeRunner } from '../../src/ports/scrape-runner.js';
import { capturedLogger } from '../support/captured-logger.js';
import { embeddedCoreDeps, type EmbeddedCoreDeps } from '../support/embedded-core-deps.js';
import { FakeArxiv } from '../support/fake-arxiv.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';
import { VirtualClock } from '../support/virtual-clock.js';

/**
 * The scrape service tells its runner a scrape is coming as soon as it holds the lease (`ScrapeRunner.prepare`),
 * before it posts the progress message: the scrape thread's start (about half a second) then overlaps that round
 * trip to Slack instead of following it.
 */
let slack: SlackFake;
let arxiv: FakeArxiv;
let embedded: EmbeddedCoreDeps;
const virtual = new VirtualClock('2026-12-06T05:00:00Z');

beforeEach(async () => {
  slack = await startSlackFake();
  arxiv = await FakeArxiv.start({ total: 3, clock: virtual });
  embedded = embeddedCoreDeps(slack, {
    env: { ARXIV_API_URL: arxiv.url, OPENREVIEW_API_URL: 'http://127.0.0.1:9' },
    logger: capturedLogger().logger,
  });
});

afterEach(async () => {
  embedded.close();
  await arxiv.stop();
  await slack.close();
});

it('prepares the runner once it holds the lease, before the progress message is posted, then runs the scrape', async () => {
  const sources = createSourceFactory({
    sources: embedded.deps.config.sources,
    logger: embedded.deps.logger,
    clock: virtual,
    sleep: virtual.sleep,
  });
  const steps: string[] = [];
  const runner: ScrapeRunner = {
    prepare: () =>
      void steps.push(`prepare (progress messages posted: ${slack.calls('chat.postMessage').length})`),
    run: (request, options) => {
      steps.push('run');
      return runScrape(embedded.deps, sources, request, options);
    },
  };
  const scrapes = new ScrapeService({ ...embedded.deps, scrapeRunner: runner }, sources);

  const started = await scrapes.start({ kind: 'arxiv' }, { startedBy: 'U0APPROVER1' });
  expect(started.kind).toBe('started');
  if (started.kind !== 'started') return;
  expect(await started.done).toMatchObject({ tally: { new: 3 } });
  expect(steps).toEqual(['prepare (progress messages posted: 0)', 'run']);
  expect(slack.calls('chat.postMessage')).toHaveLength(1);

  // A start that finds the lease held prepares nothing: no scrape of its own will run.
  const first = await scrapes.start({ kind: 'arxiv' }, { startedBy: 'U0APPROVER1' });
  const second = await scrapes.start({ kind: 'arxiv' }, { startedBy: 'U0APPROVER1' });
  expect(second.kind).toBe('running');
  if (first.kind === 'started') await first.done;
  expect(steps.filter((step) => step.startsWith('prepare'))).toHaveLength(2);
});
