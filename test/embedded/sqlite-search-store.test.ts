import { openSherpaDatabase, SqliteSearchStore } from '../../src/adapters/embedded/index.js';
import { describeSearchStoreContract } from '../contracts/search-store.contract.js';

describeSearchStoreContract('SQLite', async () => {
  const database = openSherpaDatabase({ dataDir: ':memory:' });
  return {
    searches: new SqliteSearchStore(database),
    // The same database through a second store object: what a second handle in this process sees.
    openAnother: async () => new SqliteSearchStore(database),
    close: () => database.close(),
  };
});
