import type {
  SqliteCoordinationStore,
  SqliteCostLedger,
  SqlitePaperStore,
  SqliteSearchStore,
} from '../adapters/embedded/index.js';
import {
  type BulkReport,
  importCoordination,
  importLedger,
  importPapers,
  importSearches,
  type OpenSearchHttp,
} from '../adapters/opensearch/index.js';
import type { indexNames } from '../adapters/opensearch/index.js';
import { PAPER_STATES } from '../domain/paper-state.js';

const EVERYTHING = 1_000_000_000;

export interface RecordCounts {
  papers: number;
  searches: number;
  ledger: number;
  coordination: number;
}

/**
 * Papers (with their audit logs and dedup keys), evolve searches (with the claims of live ones), cost entries
 * and live coordination records from SQLite into OpenSearch through the bulk helper. Documents keep their ids,
 * so running it twice overwrites rather than duplicates papers and searches; cost entries have no natural id,
 * so the ledger is copied only into an empty index.
 */
export async function copyRecords(
  source: {
    papers: SqlitePaperStore;
    searches: SqliteSearchStore;
    ledger: SqliteCostLedger;
    coordination: SqliteCoordinationStore;
  },
  target: { http: OpenSearchHttp; names: ReturnType<typeof indexNames>; ledgerIsEmpty: boolean },
  options: { dryRun: boolean },
): Promise<{ counts: RecordCounts; reports: BulkReport[] }> {
  const papers = await source.papers.listByState(PAPER_STATES, { limit: EVERYTHING });
  const records = await Promise.all(
    papers.map(async (paper) => ({ paper, audit: await source.papers.audit(paper.id) })),
  );
  // Oldest first, so entries recorded in one millisecond keep their order.
  const ledger = (await source.ledger.entries({ limit: EVERYTHING })).reverse();
  const coordination = await source.coordination.list<unknown>('');
  const searches = await source.searches.listAll();
  const counts = {
    papers: records.length,
    searches: searches.length,
    ledger: ledger.length,
    coordination: coordination.length,
  };
  if (options.dryRun) return { counts, reports: [] };
  const reports = [
    ...(await importPapers(target.http, target.names, records)),
    ...(await importSearches(target.http, target.names, searches)),
    ...(target.ledgerIsEmpty ? [await importLedger(target.http, target.names, ledger)] : []),
    await importCoordination(target.http, target.names, coordination),
  ];
  return { counts, reports };
}
