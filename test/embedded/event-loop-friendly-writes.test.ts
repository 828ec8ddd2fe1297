import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  OFF_LOOP_INGEST_TRANSACTION_MS,
  openSherpaDatabase,
  SqliteCoordinationStore,
  SqlitePaperStore,
} from '../../src/adapters/embedded/index.js';
import { FtsMerger } from '../../src/adapters/embedded/fts-merger.js';
import { StoreMaintenance } from '../../src/adapters/embedded/store-maintenance.js';
import { scraped } from '../contracts/contract-support.js';
import { countEventLoopTurns } from '../support/event-loop-turns.js';
import { tempDataDir } from './temp-data-dir.js';

/**
 * Issue 14, item 3: a scrape's writes must not hold the event loop that acks Slack. A page is written in
 * transactions of a few milliseconds with a turn of the loop between them; FTS5 merges no longer run inside a
 * commit but in short steps between writes; a large store checkpoints its WAL on a worker thread.
 */
describe('store writes that leave the event loop free', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function fileStore(options: ConstructorParameters<typeof SqlitePaperStore>[1] = {}) {
    const dir = tempDataDir();
    const database = openSherpaDatabase({ dataDir: dir.path });
    const store = new SqlitePaperStore(database, options);
    cleanups.push(
      dir.remove,
      () => database.close(),
      () => store.close(),
    );
    return { dir, database, store };
  }

  /** Distinct FTS5 segments of the paper index (each has rows in the %_idx shadow table). */
  const segments = (connection: Database.Database) =>
    (connection.prepare('SELECT COUNT(DISTINCT segid) AS n FROM papers_fts_idx').get() as { n: number }).n;

  it('writes a large page in several transactions, with turns of the event loop between them, in order', async () => {
    const { store } = fileStore();
    const papers = Array.from({ length: 3000 }, (_, i) =>
      scraped({ sourceId: `2501.${String(i).padStart(5, '0')}`, title: `Kernel fusion study ${i}` }),
    );
    const loop = countEventLoopTurns();
    const outcomes = await store.ingestMany(papers.map((paper) => ({ paper })));
    loop.stop();
    expect(outcomes.map((o) => o.kind)).toEqual(papers.map(() => 'created'));
    expect(outcomes.map((o) => o.paper.sourceId)).toEqual(papers.map((p) => p.sourceId));
    // Each slice is a few ms and the page takes far longer on any machine: the loop turned between slices.
    expect(loop.turns()).toBeGreaterThan(2);
    expect(await store.search({ text: 'kernel fusion', limit: 5 })).toHaveLength(5);
    expect((await store.findBySourceKey('arxiv:2501.02999'))?.title).toBe('Kernel fusion study 2999');
  });

  it('a store on a thread that acks nothing writes a page in longer transactions: fewer commits, each an FTS5 segment', async () => {
    const commitsOf = async (ingestTransactionMs?: number) => {
      const { store } = fileStore(ingestTransactionMs === undefined ? {} : { ingestTransactionMs });
      const papers = Array.from({ length: 640 }, (_, i) =>
        scraped({ sourceId: `2504.${String(i).padStart(5, '0')}`, title: `Sparse attention note ${i}` }),
      );
      // A clock that moves half a millisecond each time it is read: each paper costs the same on any machine.
      let now = 0;
      const clock = vi.spyOn(performance, 'now').mockImplementation(() => (now += 0.5));
      const commits = vi.spyOn(FtsMerger.prototype, 'wrote');
      try {
        const outcomes = await store.ingestMany(papers.map((paper) => ({ paper })));
        expect(outcomes.map((o) => o.kind)).toEqual(papers.map(() => 'created'));
        return commits.mock.calls.length;
      } finally {
        commits.mockRestore();
        clock.mockRestore();
        await store.merged();
        expect((await store.findBySourceKey('arxiv:2504.00639'))?.title).toBe('Sparse attention note 639');
        expect(await store.search({ text: 'sparse attention note 639', limit: 5 })).not.toHaveLength(0);
      }
    };
    const onTheBotsThread = await commitsOf();
    const offTheLoop = await commitsOf(OFF_LOOP_INGEST_TRANSACTION_MS);
    expect(onTheBotsThread).toBeGreaterThan(20);
    expect(offTheLoop).toBeGreaterThan(1);
    expect(offTheLoop).toBeLessThan(onTheBotsThread / 4);
  });

  it("a background writer's long transaction ends after the paper in progress once the bot's thread writes", async () => {
    const dir = tempDataDir();
    const bot = openSherpaDatabase({ dataDir: dir.path });
    const scrapeThread = openSherpaDatabase({ dataDir: dir.path, behind: bot.turns.buffer });
    const store = new SqlitePaperStore(scrapeThread, { ingestTransactionMs: OFF_LOOP_INGEST_TRANSACTION_MS });
    cleanups.push(
      dir.remove,
      () => bot.close(),
      () => scrapeThread.close(),
      () => store.close(),
    );
    const botWrites = new SqliteCoordinationStore(bot);
    const papers = Array.from({ length: 300 }, (_, i) =>
      scraped({ sourceId: `2505.${String(i).padStart(5, '0')}`, title: `Pipeline schedule ${i}` }),
    );
    // Each paper reads the clock once; on the 10th reading the bot's thread starts a write (it waits its turn).
    let now = 0;
    let readings = 0;
    let botWrite: Promise<unknown> | undefined;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => {
      readings += 1;
      if (readings === 10) botWrite = botWrites.put('bench:bot-write', { during: 'scrape' });
      return (now += 0.5);
    });
    const committed: number[] = [];
    const count = bot.connection.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM papers');
    const commits = vi.spyOn(FtsMerger.prototype, 'wrote').mockImplementation(() => {
      committed.push(count.get()?.n ?? 0);
    });
    try {
      await store.ingestMany(papers.map((paper) => ({ paper })));
    } finally {
      commits.mockRestore();
      clock.mockRestore();
    }
    await botWrite;
    expect((await botWrites.get('bench:bot-write'))?.value).toEqual({ during: 'scrape' });
    const sizes = committed.map((n, i) => n - (committed[i - 1] ?? 0));
    // The first transaction ended within a paper of the bot's write; the next ones ran their full time.
    expect(sizes[0]).toBeLessThan(12);
    expect(Math.max(...sizes.slice(1))).toBeGreaterThan(40);
    expect(committed.at(-1)).toBe(300);
  });

  it('merges the index between writes, not in their commits', async () => {
    const { dir, database, store } = fileStore();
    const automerge = database.connection
      .prepare("SELECT v FROM papers_fts_config WHERE k = 'automerge'")
      .get() as { v: number } | undefined;
    expect(automerge?.v).toBe(0);
    const usermerge = database.connection
      .prepare("SELECT v FROM papers_fts_config WHERE k = 'usermerge'")
      .get() as { v: number } | undefined;
    expect(usermerge?.v).toBe(16);

    for (let i = 0; i < 40; i += 1) {
      await store.ingest(
        scraped({ sourceId: `2502.${String(i).padStart(5, '0')}`, title: `Routing paper ${i}` }),
      );
    }
    await store.merged();
    // 40 commits added 40 segments; the merger left fewer than 16 (FTS5 merges a level once it holds 16).
    expect(segments(database.connection)).toBeLessThan(16);
    expect(await store.search({ text: 'routing', limit: 50 })).toHaveLength(40);

    // A writer without the merger (a plain connection): its commits no longer merge, so segments pile up.
    const plain = new Database(join(dir.path, 'sherpa.db'));
    cleanups.push(() => void plain.close());
    const before = segments(plain);
    const insert = plain.prepare(
      'INSERT INTO papers_fts (rowid, title, abstract, authors, venue) VALUES (?, ?, ?, ?, ?)',
    );
    for (let i = 0; i < 10; i += 1) insert.run(100_000 + i, `Plain ${i}`, 'text', 'someone', 'ICLR');
    expect(segments(plain)).toBe(before + 10);
  });

  it('a large store checkpoints its WAL on a worker thread, and hands it back to SQLite when closed', async () => {
    const { dir, database, store } = fileStore({ readWorkers: 1, readWorkersFromPapers: 1 });
    const autocheckpoint = () => database.connection.pragma('wal_autocheckpoint', { simple: true });
    expect(autocheckpoint()).toBe(1000);
    const file = join(dir.path, 'sherpa.db');
    const sizeBefore = statSync(file).size;
    // About 6 MB of papers, past the worker's 4 MiB threshold: in WAL mode the database file grows only when
    // a checkpoint copies pages into it.
    const abstract = 'Tokens are routed to experts by a learned gate. '.repeat(40);
    const papers = Array.from({ length: 2500 }, (_, i) =>
      scraped({ sourceId: `2503.${String(i).padStart(5, '0')}`, abstract }),
    );
    await store.ingestMany(papers.map((paper) => ({ paper })));
    expect(autocheckpoint()).toBe(0);
    const deadline = Date.now() + 15_000;
    while (statSync(file).size === sizeBefore && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(statSync(file).size).toBeGreaterThan(sizeBefore);
    await store.close();
    expect(autocheckpoint()).toBe(1000);
  });
});

describe('the maintenance worker fails safe', () => {
  it('gives the checkpoint back to SQLite when its worker cannot run, and does not retry on every write', async () => {
    const dir = tempDataDir();
    const database = openSherpaDatabase({ dataDir: dir.path });
    try {
      const autocheckpoint = () => database.connection.pragma('wal_autocheckpoint', { simple: true });
      // A database file the worker cannot open: it fails at start.
      const maintenance = new StoreMaintenance({
        location: join(dir.path, 'missing', 'sherpa.db'),
        connection: database.connection,
      });
      maintenance.wrote();
      expect(autocheckpoint()).toBe(0);
      const deadline = Date.now() + 10_000;
      while (autocheckpoint() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(autocheckpoint()).toBe(1000);
      // Within the restart pause, another write does not start another worker.
      maintenance.wrote();
      expect(autocheckpoint()).toBe(1000);
      await maintenance.close();
    } finally {
      database.close();
      dir.remove();
    }
  });
});
