import { createOpenSearchClient, type OpenSearchIndexConfig } from './client.js';
import type { RefreshPolicy } from './documents.js';
import { OpenSearchHttp } from './http.js';
import { ensureIndices, indexNames } from './indices.js';
import { OpenSearchCoordinationStore } from './opensearch-coordination-store.js';
import { OpenSearchCostLedger } from './opensearch-cost-ledger.js';
import { OpenSearchPaperStore } from './opensearch-paper-store.js';
import { OpenSearchSearchStore } from './opensearch-search-store.js';
import type { Clock } from '../../ports/clock.js';

export { createOpenSearchClient, type OpenSearchIndexConfig } from './client.js';
export { OpenSearchHttp } from './http.js';
export { ensureIndices, indexNames, INDEX_MAPPINGS, MAPPING_VERSION } from './indices.js';
export { OpenSearchPaperStore } from './opensearch-paper-store.js';
export { OpenSearchCoordinationStore } from './opensearch-coordination-store.js';
export { OpenSearchCostLedger } from './opensearch-cost-ledger.js';
export { OpenSearchSearchStore } from './opensearch-search-store.js';
export {
  bulkIndex,
  importPapers,
  importLedger,
  importCoordination,
  importSearches,
  type BulkReport,
} from './bulk-import.js';

export interface OpenSearchStores {
  http: OpenSearchHttp;
  papers: OpenSearchPaperStore;
  coordination: OpenSearchCoordinationStore;
  ledger: OpenSearchCostLedger;
  searches: OpenSearchSearchStore;
}

/**
 * Connects, creates missing indices (versioned, behind aliases) and returns the stores sharing one client.
 * Serverless (`aoss`) collections refresh on their own schedule and do not take `refresh=true`, so writes there
 * become searchable within seconds rather than at once.
 */
export async function openOpenSearchStores(
  config: OpenSearchIndexConfig,
  options: { region: string; clock?: Clock },
): Promise<OpenSearchStores> {
  const http = new OpenSearchHttp(createOpenSearchClient(config, options.region), config.url);
  const names = indexNames(config.indexPrefix);
  await ensureIndices(http, names);
  const refresh: RefreshPolicy = config.service === 'aoss' && config.auth === 'sigv4' ? 'false' : 'true';
  const clock = options.clock ? { clock: options.clock } : {};
  return {
    http,
    papers: new OpenSearchPaperStore({ http, names, refresh, ...clock }),
    coordination: new OpenSearchCoordinationStore({ http, names, refresh, ...clock }),
    ledger: new OpenSearchCostLedger({ http, names, refresh }),
    searches: new OpenSearchSearchStore({ http, names, refresh, ...clock }),
  };
}
