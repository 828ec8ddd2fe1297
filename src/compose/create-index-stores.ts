import {
  SqliteCoordinationStore,
  SqliteCostLedger,
  SqlitePaperStore,
  SqliteSearchStore,
} from '../adapters/embedded/index.js';
import type { CoordinationStore } from '../ports/coordination-store.js';
import type { CostLedger } from '../ports/cost-ledger.js';
import type { PaperStore } from '../ports/paper-store.js';
import type { SearchStore } from '../ports/search-store.js';
import type { StorageContext } from './storage-context.js';

/** One thread: these reads are short and rare next to acks; a second would compete for a small machine's cores. */
const READ_WORKERS = 1;

export interface IndexStores {
  papers: PaperStore;
  coordination: CoordinationStore;
  ledger: CostLedger;
  /** Evolve searches (issue 13, item 7). */
  searches: SearchStore;
}

/**
 * Papers, coordination records, evolve searches and the cost ledger live together: SQLite in `DATA_DIR/sherpa.db`, or
 * OpenSearch indexes (`OPENSEARCH_URL`), created with their mappings at startup if missing.
 */
export async function createIndexStores(context: StorageContext): Promise<IndexStores> {
  const index = context.config.storage.index;
  switch (index.kind) {
    case 'sqlite': {
      const database = context.database();
      // The paper store owns the shared database so that closing it (as older shutdown code does) closes storage.
      // Searches, the judge's "more like this" and the lists behind the digest and App Home run on a worker
      // thread once the store is large (10,000 papers): a query over a large store must never hold the event
      // loop that acks Slack (issue 14). Closing the store stops the thread.
      const papers = new SqlitePaperStore(database, {
        clock: context.clock,
        ownsDatabase: true,
        readWorkers: READ_WORKERS,
      });
      context.onClose(() => papers.close());
      return {
        papers,
        coordination: new SqliteCoordinationStore(database, { clock: context.clock }),
        // The ledger's summaries (digest, App Home) go to the same worker once the papers do.
        ledger: new SqliteCostLedger(database, { readWorkers: () => papers.readWorkersInUse() }),
        searches: new SqliteSearchStore(database, { clock: context.clock }),
      };
    }
    case 'opensearch': {
      // Imported only in AWS mode: the embedded bot never loads the OpenSearch client (issue 14, lean bot).
      const { openOpenSearchStores } = await import('../adapters/opensearch/index.js');
      const stores = await openOpenSearchStores(index, {
        region: context.config.aws.region,
        clock: context.clock,
      });
      context.onClose(() => stores.papers.close());
      context.logger.info(
        { url: index.url, auth: index.auth, prefix: index.indexPrefix },
        'OpenSearch index ready',
      );
      return {
        papers: stores.papers,
        coordination: stores.coordination,
        ledger: stores.ledger,
        searches: stores.searches,
      };
    }
  }
}
