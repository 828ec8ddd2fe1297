import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSherpaDatabase, SqliteCostLedger, SqlitePaperStore } from '../../src/adapters/embedded/index.js';
import { REPLY_PART_ITEMS } from '../../src/adapters/embedded/read-worker-protocol.js';
import { ReadWorkers } from '../../src/adapters/embedded/read-workers.js';
import { LedgerSummaryStatement } from '../../src/adapters/embedded/sqlite-ledger-summary.js';
import { SqlitePaperSearch } from '../../src/adapters/embedded/sqlite-paper-search.js';
import { PaperStatements } from '../../src/adapters/embedded/sqlite-paper-statements.js';
import { TransientError } from '../../src/errors.js';
import { scraped } from '../contracts/contract-support.js';
import { tempDataDir } from './temp-data-dir.js';

/**
 * Issue 14: searches and the digest's and App Home's lists and counts run on a worker thread with its own
 * read-only connection, never on the event loop.
 */
describe('reads on worker threads', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    vi.restoreAllMocks();
  });

  /** A store on disk that reads on its worker as soon as it holds one paper. */
  function storeUsingWorkersFromOnePaper() {
    const dir = tempDataDir();
    const database = openSherpaDatabase({ dataDir: dir.path });
    const store = new SqlitePaperStore(database, {
      ownsDatabase: true,
      readWorkers: 1,
      readWorkersFromPapers: 1,
    });
    cleanups.push(dir.remove, () => store.close());
    return { database, store };
  }

  async function stores() {
    const dir = tempDataDir();
    const writer = new SqlitePaperStore(openSherpaDatabase({ dataDir: dir.path }), { ownsDatabase: true });
    const threaded = new SqlitePaperStore(openSherpaDatabase({ dataDir: dir.path }), {
      ownsDatabase: true,
      readWorkers: 1,
      readWorkersFromPapers: 0,
    });
    cleanups.push(
      dir.remove,
      () => writer.close(),
      () => threaded.close(),
    );
    const titles = [
      'Sparse attention kernels for systolic arrays',
      'Quantized attention on accelerators',
      'Expert routing in mixture of experts',
    ];
    for (const [i, title] of titles.entries()) {
      await writer.ingest(scraped({ sourceId: `2503.0000${i}`, title, venue: 'ICLR', year: 2024 + (i % 2) }));
    }
    return { writer, threaded };
  }

  it('answers as the in-thread store does, without running a query on this thread, and sees new papers', async () => {
    const { writer, threaded } = await stores();
    const here = [
      vi.spyOn(SqlitePaperSearch.prototype, 'search'),
      vi.spyOn(SqlitePaperSearch.prototype, 'similar'),
      vi.spyOn(PaperStatements.prototype, 'listByState'),
      vi.spyOn(PaperStatements.prototype, 'countByState'),
      vi.spyOn(PaperStatements.prototype, 'countCreatedSince'),
      vi.spyOn(PaperStatements.prototype, 'threadCandidates'),
      vi.spyOn(PaperStatements.prototype, 'activitySince'),
      vi.spyOn(PaperStatements.prototype, 'waitingWithThread'),
    ];
    const queries = [
      { text: 'attention' },
      { text: 'attention', year: 2025 },
      { text: '', venue: 'iclr' },
      { text: 'routing experts zebra', limit: 1 },
    ];
    const reads = (store: SqlitePaperStore) =>
      Promise.all([
        ...queries.map((query) => store.search(query)),
        store.similar('attention kernels', { limit: 5 }),
        store.listByState(['scraped'], { limit: 2 }),
        store.listByState(['scraped', 'accepted'], { updatedSince: '2000-01-01T00:00:00.000Z' }),
        store.countByState(),
        store.countCreatedSince('2000-01-01T00:00:00.000Z'),
        store.threadCandidates({ limit: 8, scan: 100 }),
        store.activitySince({ since: '2000-01-01T00:00:00.000Z', limit: 100 }),
        store.waitingWithThread({ scan: 100 }),
      ]);
    const threadedReads = await reads(threaded);
    for (const spy of here) expect(spy).not.toHaveBeenCalled();
    expect(threadedReads).toEqual(await reads(writer));
    expect(threadedReads[0]).toHaveLength(2);
    expect(threadedReads.slice(4, 7)).toEqual([
      expect.any(Array),
      expect.objectContaining({ length: 2 }),
      expect.objectContaining({ length: 3 }),
    ]);
    // Its own WAL reader, not a snapshot: it sees a paper committed after it started.
    const { paper } = await writer.ingest(
      scraped({ sourceId: '2503.00009', title: 'Diffusion on Trainium' }),
    );
    expect((await threaded.search({ text: 'diffusion' })).map((hit) => hit.paper.id)).toEqual([paper.id]);
  });

  it('sends a long list in parts, each asked for on a later turn, and returns it whole and in order', async () => {
    const { writer, threaded } = await stores();
    const extra = 2 * REPLY_PART_ITEMS + 7;
    for (let i = 0; i < extra; i += 1) {
      await writer.ingest(scraped({ sourceId: `2504.${String(i).padStart(5, '0')}`, title: `Paper ${i}` }));
    }
    await threaded.countByState(); // the worker is started
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    const list = await threaded.listByState(['scraped'], { limit: 1_000 });
    expect(list).toEqual(await writer.listByState(['scraped'], { limit: 1_000 }));
    expect(list).toHaveLength(extra + 3);
    // 210 papers: the first 100 with the answer, then two `more` requests for 100 and 10.
    const requests = posted.mock.calls.map(([message]) => (message as { op: string }).op);
    expect(requests).toEqual(['listByState', 'more', 'more']);
    // A short list is one message, as before.
    posted.mockClear();
    expect(await threaded.listByState(['scraped'], { limit: 5 })).toHaveLength(5);
    expect(posted.mock.calls.map(([message]) => (message as { op: string }).op)).toEqual(['listByState']);
  });

  it('keeps reads on this thread while the store is smaller than the threshold', async () => {
    const dir = tempDataDir();
    const small = new SqlitePaperStore(openSherpaDatabase({ dataDir: dir.path }), {
      ownsDatabase: true,
      readWorkers: 1,
      readWorkersFromPapers: 2,
    });
    cleanups.push(dir.remove, () => small.close());
    const here = vi.spyOn(SqlitePaperSearch.prototype, 'search');
    await small.ingest(scraped({ sourceId: '2503.00011', title: 'Attention on one paper' }));
    expect(await small.search({ text: 'attention' })).toHaveLength(1);
    expect(here).toHaveBeenCalledTimes(1);
    await small.ingest(scraped({ sourceId: '2503.00012', title: 'Attention on two papers' }));
    expect(await small.search({ text: 'attention' })).toHaveLength(2);
    expect(here).toHaveBeenCalledTimes(1);
  });

  it('stops counting the papers on this thread once the store is large enough for the workers', async () => {
    const { database, store } = storeUsingWorkersFromOnePaper();
    // Every statement of this connection shares one prototype: its reads on this thread are counted there.
    const statement = Object.getPrototypeOf(database.connection.prepare('SELECT 1')) as { get(): unknown };
    const reads = vi.spyOn(statement, 'get');
    // The write counts the papers (it decides whether the WAL is checkpointed off this thread).
    await store.ingest(scraped({ sourceId: '2503.00021', title: 'Attention counted once' }));
    // The index merging the write set off reads on this thread too; it is not what this test counts.
    await store.merged();
    const counts = reads.mock.calls.length;
    reads.mockClear();
    expect(counts).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 3; i += 1) expect(await store.search({ text: 'attention' })).toHaveLength(1);
    expect(reads).not.toHaveBeenCalled();
  });

  it('sums the cost ledger on the paper store’s worker once the store uses it, as on this thread', async () => {
    const { database, store: papers } = storeUsingWorkersFromOnePaper();
    const ledger = new SqliteCostLedger(database, { readWorkers: () => papers.readWorkersInUse() });
    const plain = new SqliteCostLedger(database);
    const entry = (at: string, resource: string, usd: number, paperId?: string) => ({
      at,
      kind: 'llm' as const,
      resource,
      purpose: 'judge',
      inputTokens: 100,
      outputTokens: 10,
      usd,
      ...(paperId ? { paperId } : {}),
    });
    await ledger.record(entry('2026-12-01T10:00:00.000Z', 'haiku', 0.5, 'p_a'));
    await ledger.record(entry('2026-12-02T10:00:00.000Z', 'haiku', 0.25));
    await ledger.record(entry('2026-12-03T10:00:00.000Z', 'sonnet', 1));
    const queries = [
      { since: '2026-12-01T00:00:00.000Z' },
      { since: '2026-12-02T00:00:00.000Z', until: '2026-12-03T00:00:00.000Z' },
      { since: '2026-11-01T00:00:00.000Z', paperId: 'p_a' },
    ];
    // No paper yet: below the threshold, the sums run here.
    const here = vi.spyOn(LedgerSummaryStatement.prototype, 'summarize');
    await ledger.summarize(queries[0]!);
    expect(here).toHaveBeenCalledTimes(1);
    await papers.ingest(scraped({ sourceId: '2503.00031', title: 'A paper makes the store large enough' }));
    here.mockClear();
    const threaded = await Promise.all(queries.map((query) => ledger.summarize(query)));
    expect(here).not.toHaveBeenCalled();
    expect(threaded).toEqual(await Promise.all(queries.map((query) => plain.summarize(query))));
    expect(threaded[0]).toMatchObject({ usd: 1.75, inputTokens: 300, byResource: { sonnet: { usd: 1 } } });
    expect(threaded[2]).toMatchObject({ usd: 0.5 });
  });

  it('rejects searches once closed, so shutdown never leaves one waiting', async () => {
    const { threaded } = await stores();
    await threaded.search({ text: 'attention' });
    await threaded.close();
    await expect(threaded.search({ text: 'attention' })).rejects.toBeInstanceOf(TransientError);
  });

  it('fails a search with a typed error when its worker cannot open the database', async () => {
    const dir = tempDataDir();
    cleanups.push(dir.remove);
    const location = join(dir.path, 'sherpa.db');
    writeFileSync(location, 'not a database');
    const workers = new ReadWorkers({ location, size: 1 });
    cleanups.push(() => workers.close());
    await expect(workers.read('search', { query: { text: 'attention' } })).rejects.toBeInstanceOf(
      TransientError,
    );
  });
});
