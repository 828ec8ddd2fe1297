import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { machineKey } from '../../src/ingest/lease-holder.js';
import { ScrapeLeases } from '../../src/ingest/scrape-lease.js';
import { ScrapeService } from '../../src/ingest/scrape-service.js';
import { createSourceFactory } from '../../src/compose/create-paper-sources.js';
import { capturedLogger } from '../support/captured-logger.js';
import { embeddedCoreDeps, type EmbeddedCoreDeps } from '../support/embedded-core-deps.js';
import { FakeArxiv } from '../support/fake-arxiv.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';
import { VirtualClock } from '../support/virtual-clock.js';

/**
 * Taking over a scrape whose lease holder is known to be dead (issue 11, item 7): the state a crashed process
 * leaves (its lease, its "running" record, the checkpoint with the progress message) is made by a real scrape
 * stopped at a page boundary, then the lease is put back in the name of a process on this machine that has
 * exited, as a crash would leave it. The next start takes over at once; a live holder is left alone.
 */
let slack: SlackFake;
let arxiv: FakeArxiv;
let embedded: EmbeddedCoreDeps;
let logs: ReturnType<typeof capturedLogger>;
const virtual = new VirtualClock('2026-11-23T05:00:00Z');
const here = machineKey();

function service(): ScrapeService {
  const sources = createSourceFactory({
    sources: embedded.deps.config.sources,
    logger: logs.logger,
    clock: virtual,
    sleep: virtual.sleep,
  });
  return new ScrapeService(embedded.deps, sources);
}

/** A scrape interrupted after its first page, its lease left held by `holder`. */
async function interruptedBy(holder: string) {
  const crashed = service();
  const started = await crashed.start({ kind: 'arxiv' }, { startedBy: 'schedule' });
  if (started.kind !== 'started') throw new Error('expected a start');
  await crashed.stop();
  const leases = new ScrapeLeases(embedded.deps.coordination);
  expect(await leases.acquire('arxiv', holder)).toBe(true);
  await leases.announce('arxiv', {
    holder,
    label: 'arXiv',
    startedAt: virtual.now().toISOString(),
    startedBy: 'schedule',
    ...(started.progress ? { progress: started.progress } : {}),
  });
  return started;
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

describe.skipIf(!here)('scrape lease takeover (skipped: /proc does not identify this machine)', () => {
  it('takes over at once from a holder on this machine whose process is gone, and resumes its scrape', async () => {
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const dead = `${hostname()}:${exited.stdout.toString()}:${here}:crashed`;
    const first = await interruptedBy(dead);

    const second = await service().start({ kind: 'arxiv' }, { startedBy: 'U0APPROVER1' });

    expect(second).toMatchObject({ kind: 'started', resumed: true, label: 'arXiv' });
    if (second.kind !== 'started') return;
    expect(second.progress?.ts).toBe(first.progress?.ts);
    expect(logs.lines.find((l) => String(l.msg).includes('taking over at once'))).toMatchObject({
      scrape: 'arxiv',
      deadHolder: dead,
    });
    await second.done;
    expect(slack.calls('chat.update').at(-1)?.args).toMatchObject({ ts: first.progress?.ts });
    expect(String(slack.calls('chat.update').at(-1)?.args.text)).toMatch(/^Scraped arXiv: 5 \/ 5 fetched/);
  });

  it('leaves a live holder alone: the second start is told a scrape is running', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const alive = `${hostname()}:${sleeper.pid}:${here}:running`;
      await interruptedBy(alive);
      const second = await service().start({ kind: 'arxiv' }, { startedBy: 'U0APPROVER1' });
      expect(second).toMatchObject({ kind: 'running', running: { holder: alive } });
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});
