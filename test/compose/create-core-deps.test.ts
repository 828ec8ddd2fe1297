import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SlackChat } from '../../src/adapters/slack/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../src/compose.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/logging/logger.js';
import { ContractClock, scraped } from '../contracts/contract-support.js';
import { tempDataDir } from '../embedded/temp-data-dir.js';

const logger = createLogger({ level: 'silent' });
// Never called: composing storage makes no Slack request. The URL is loopback so a mistake could not leave the host.
const chat = new SlackChat({
  token: 'xoxb-test',
  apiUrl: 'http://127.0.0.1:9/api/',
  logger: createLogger({ level: 'silent' }),
});

describe('createCoreDeps', () => {
  let dir: ReturnType<typeof tempDataDir>;
  const configWith = (extra: Record<string, string> = {}) =>
    loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_APP_TOKEN: 'xapp-1-A1-abc',
      SLACK_CHANNEL: 'C0123456789',
      APPROVERS: 'U0APPROVER1',
      DATA_DIR: join(dir.path, 'data'),
      ...extra,
    });
  beforeEach(() => {
    dir = tempDataDir();
  });
  afterEach(() => dir.remove());

  it('wires the embedded adapters under DATA_DIR that work together and close cleanly', async () => {
    const clock = new ContractClock();
    const deps = await createCoreDeps(configWith(), logger, { chat, clock, maxQueueAttempts: 2 });
    expect(existsSync(join(dir.path, 'data', 'sherpa.db'))).toBe(true);
    expect(deps.clock).toBe(clock);
    expect(deps.chat).toBe(chat);

    const { paper } = await deps.papers.ingest(scraped({ sourceId: '2501.00001' }));
    expect(paper.createdAt).toBe(clock.now().toISOString());
    await deps.queues.judge.send({ paperId: paper.id }, { dedupeId: `judge:${paper.id}`, groupId: paper.id });
    expect(await deps.queues.codegen.depth()).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const [message] = await deps.queues.judge.receive({ max: 1, visibilitySeconds: 10 });
      expect(message?.body).toEqual({ paperId: paper.id });
      clock.advance(11_000);
    }
    expect(await deps.queues.judge.receive({ max: 1, visibilitySeconds: 10 })).toEqual([]);
    expect(await deps.queues.judge.depth()).toMatchObject({ deadLettered: 1 });

    await deps.blobs.put('raw/x.json', '{}');
    expect(existsSync(join(dir.path, 'data', 'blobs', 'raw', 'x.json'))).toBe(true);
    expect(await deps.coordination.acquireLease('l', 'me', 10)).toBeDefined();
    await deps.ledger.record({
      at: clock.now().toISOString(),
      kind: 'llm',
      resource: 'm',
      purpose: 'judge',
      usd: 1,
    });

    await deps.close();
    await deps.close();
    await expect(deps.papers.get(paper.id)).rejects.toThrow();
  });

  it('builds the paper sources and the scheduler, so no stage or job constructs an adapter', async () => {
    const deps = await createCoreDeps(configWith(), logger, { chat });
    const venue = { kind: 'venue', year: 2025, includeRejected: false } as const;
    expect(deps.sources.create({ ...venue, venue: 'iclr' })).toMatchObject({
      source: 'openreview',
      label: 'ICLR 2025',
    });
    expect(deps.sources.create({ ...venue, venue: 'mlsys' })).toMatchObject({
      source: 'mlsys',
      label: 'MLSys 2025',
    });
    const window = { from: '2026-11-18T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' };
    expect(deps.sources.create({ kind: 'arxiv', categories: ['cs.LG'], ...window }).source).toBe('arxiv');
    deps.scheduler.schedule('0 9 * * *', 'UTC', async () => {}).stop();
    await deps.close();
  });

  it('keeps data across a restart', async () => {
    const first = await createCoreDeps(configWith(), logger, { chat });
    const { paper } = await first.papers.ingest(scraped({ sourceId: '2501.00002' }));
    await first.papers.close();
    await first.close();
    const second = await createCoreDeps(configWith(), logger, { chat });
    expect(await second.papers.get(paper.id)).toEqual(paper);
    await second.close();
  });

  it('explains an unusable DATA_DIR', async () => {
    const config = { ...configWith(), dataDir: join(dir.path, 'missing\0dir') };
    await expect(createCoreDeps(config, logger, { chat })).rejects.toBeInstanceOf(ConfigError);
  });
});
