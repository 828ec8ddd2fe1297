import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSherpaDatabase, SqlitePaperStore } from '../../src/adapters/embedded/index.js';
import { SearchWorkers } from '../../src/adapters/embedded/search-workers.js';
import { SqlitePaperSearch } from '../../src/adapters/embedded/sqlite-paper-search.js';
import { TransientError } from '../../src/errors.js';
import { scraped } from '../contracts/contract-support.js';
import { tempDataDir } from './temp-data-dir.js';

/** Issue 14: searches run on a worker thread with its own read-only connection, never on the event loop. */
describe('search on worker threads', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    vi.restoreAllMocks();
  });

  async function stores() {
    const dir = tempDataDir();
    const writer = new SqlitePaperStore(openSherpaDatabase({ dataDir: dir.path }), { ownsDatabase: true });
    const threaded = new SqlitePaperStore(openSherpaDatabase({ dataDir: dir.path }), {
      ownsDatabase: true,
      searchWorkers: 1,
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

  it('answers as the in-thread search does, without running the query on this thread, and sees new papers', async () => {
    const { writer, threaded } = await stores();
    const here = vi.spyOn(SqlitePaperSearch.prototype, 'search');
    const queries = [
      { text: 'attention' },
      { text: 'attention', year: 2025 },
      { text: '', venue: 'iclr' },
      { text: 'routing experts zebra', limit: 1 },
    ];
    const threadedHits = await Promise.all(queries.map((query) => threaded.search(query)));
    expect(here).not.toHaveBeenCalled();
    const localHits = await Promise.all(queries.map((query) => writer.search(query)));
    expect(threadedHits).toEqual(localHits);
    expect(threadedHits[0]).toHaveLength(2);
    const similar = { limit: 5 };
    expect(await threaded.similar('attention kernels', similar)).toEqual(
      await writer.similar('attention kernels', similar),
    );
    // Its own WAL reader, not a snapshot: it sees a paper committed after it started.
    const { paper } = await writer.ingest(
      scraped({ sourceId: '2503.00009', title: 'Diffusion on Trainium' }),
    );
    expect((await threaded.search({ text: 'diffusion' })).map((hit) => hit.paper.id)).toEqual([paper.id]);
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
    const workers = new SearchWorkers({ location, size: 1 });
    cleanups.push(() => workers.close());
    await expect(workers.search({ text: 'attention' })).rejects.toBeInstanceOf(TransientError);
  });
});
