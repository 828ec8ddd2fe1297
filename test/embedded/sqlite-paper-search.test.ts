import { describe, expect, it } from 'vitest';
import { openSherpaDatabase, SqlitePaperStore } from '../../src/adapters/embedded/index.js';
import { SqlitePaperSearch } from '../../src/adapters/embedded/sqlite-paper-search.js';
import { scraped } from '../contracts/contract-support.js';

describe('SqlitePaperSearch ranking window', () => {
  it('ranks a query matching more papers than the window among the newest, unless a filter is set', async () => {
    const database = openSherpaDatabase({ dataDir: ':memory:' });
    const store = new SqlitePaperStore(database);
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const year = i === 0 ? 2019 : 2025;
      const title = `Kernels number ${i} for systolic arrays ${'kernel '.repeat(i === 0 ? 5 : 1)}`;
      ids.push((await store.ingest(scraped({ sourceId: `2501.0000${i}`, title, year }))).paper.id);
    }
    const search = new SqlitePaperSearch(database.connection, { rankWindow: 3 });
    const unfiltered = search.search({ text: 'kernel', limit: 10 }).map((hit) => hit.paper.id);
    // The oldest paper ranks best (most "kernel"s) but lies outside the window of the 3 newest matches.
    expect(unfiltered).toEqual(expect.arrayContaining(ids.slice(3)));
    expect(unfiltered).toHaveLength(3);
    expect(search.search({ text: 'kernel', year: 2019 }).map((hit) => hit.paper.id)).toEqual([ids[0]]);
    const wide = new SqlitePaperSearch(database.connection);
    expect(wide.search({ text: 'kernel', limit: 10 })[0]?.paper.id).toBe(ids[0]);
    database.close();
  });
});

describe('SqlitePaperSearch forms', () => {
  async function seeded() {
    const database = openSherpaDatabase({ dataDir: ':memory:' });
    const store = new SqlitePaperStore(database);
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const title = `Kernel fusion study ${i} ${'kernel '.repeat(1 + (i % 4))}`;
      const venue = i % 3 === 0 ? 'MLSys' : 'ICLR';
      const year = 2023 + (i % 2);
      ids.push((await store.ingest(scraped({ sourceId: `2502.100${i}`, title, venue, year }))).paper.id);
    }
    return { database, ids };
  }

  it('finds the same papers whether it lists the filtered papers or checks each match', async () => {
    const { database } = await seeded();
    const listing = new SqlitePaperSearch(database.connection, { filterListCap: 1_000 });
    const joining = new SqlitePaperSearch(database.connection, { filterListCap: 0 });
    for (const query of [
      { text: 'kernel', venue: 'mlsys' },
      { text: 'kernel fusion', year: 2024 },
      { text: 'kernel', venue: 'iclr', year: 2023, limit: 3 },
      { text: 'kernel zebra', venue: 'iclr' },
      { text: 'kernel', state: 'accepted' as const },
    ]) {
      const listed = listing.search(query);
      expect(joining.search(query)).toEqual(listed);
      expect(
        listed.every((hit) => query.venue === undefined || hit.paper.venue.toLowerCase() === query.venue),
      ).toBe(true);
    }
    expect(listing.search({ text: 'kernel', venue: 'mlsys' })).toHaveLength(4);
    database.close();
  });

  it('ranks the newest matches that pass the filters, and lists the newest papers without words or filters', async () => {
    const { database, ids } = await seeded();
    const search = new SqlitePaperSearch(database.connection, { filteredRankWindow: 2 });
    // MLSys papers are 0, 3, 6 and 9; the newest two passing matches are 9 and 6.
    const hits = search.search({ text: 'kernel', venue: 'mlsys' }).map((hit) => hit.paper.id);
    expect([...hits].sort()).toEqual([ids[6], ids[9]].sort());
    expect(search.search({ text: '!!!', limit: 2 }).map((hit) => hit.paper.id)).toEqual([ids[11], ids[10]]);
    database.close();
  });
});
