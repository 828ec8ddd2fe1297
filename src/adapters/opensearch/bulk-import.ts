import { titleKeyUsableForDedup } from '../../domain/paper-merge.js';
import { SEARCH_ENDS } from '../../domain/evolve-search-state.js';
import type { EvolveSearch } from '../../domain/evolve-search.js';
import type { AuditEntry, Paper } from '../../domain/paper.js';
import type { CoordinationRecord } from '../../ports/coordination-store.js';
import type { LedgerEntry } from '../../ports/cost-ledger.js';
import type { OpenSearchHttp } from './http.js';
import type { IndexNames } from './indices.js';
import { searchDocumentOf } from './opensearch-search-store.js';
import { claimIdFor } from './paper-claims.js';
import { documentOf } from './paper-documents.js';

export interface BulkFailure {
  id: string | undefined;
  status: number;
  reason: string;
}

/** What a bulk load did: every document is either counted as indexed or listed as a failure. */
export interface BulkReport {
  index: string;
  total: number;
  successful: number;
  failed: number;
  failures: BulkFailure[];
}

/**
 * Loads many documents through the client's bulk helper. The helper retries items OpenSearch answers 429 and
 * hands every other failed item to `onDrop`; those are collected with their status and reason, so a failure is
 * counted and reported, never dropped silently (aws.md §6).
 */
export async function bulkIndex(
  http: OpenSearchHttp,
  index: string,
  items: readonly { id?: string; source: object }[],
): Promise<BulkReport> {
  const failures: BulkFailure[] = [];
  if (items.length === 0) return { index, total: 0, successful: 0, failed: 0, failures };
  // The helper sends each datasource element as the document itself; ids travel beside it.
  const ids = new WeakMap<object, string>();
  for (const item of items) if (item.id !== undefined) ids.set(item.source, item.id);
  const stats = await http.raw.helpers.bulk<object>({
    datasource: items.map((item) => item.source),
    onDocument: (document) => {
      const id = ids.get(document);
      return id !== undefined ? { index: { _index: index, _id: id } } : { create: { _index: index } };
    },
    onDrop: (dropped) => {
      failures.push({
        // The helper hands back a copy of the document; the id is in the action it was sent with.
        id: idOfAction(dropped.operation) ?? ids.get(dropped.document),
        status: dropped.status,
        reason: `${dropped.error?.type ?? 'error'}: ${dropped.error?.reason ?? 'no reason given'}`,
      });
    },
    refreshOnCompletion: index,
    retries: 3,
    wait: 500,
  });
  return { index, total: stats.total, successful: stats.successful, failed: stats.failed, failures };
}

/** Papers with their audit logs, and their dedup claims (migration from the embedded store). */
export async function importPapers(
  http: OpenSearchHttp,
  names: IndexNames,
  records: readonly { paper: Paper; audit: readonly AuditEntry[] }[],
): Promise<BulkReport[]> {
  const papers = await bulkIndex(
    http,
    names.alias('papers'),
    records.map((record) => ({ id: record.paper.id, source: documentOf(record.paper, record.audit) })),
  );
  const claims = records.flatMap(({ paper }) =>
    [...paper.sourceKeys, ...(titleKeyUsableForDedup(paper.titleKey) ? [`title:${paper.titleKey}`] : [])].map(
      (key) => ({ claimId: claimIdFor(key), paperId: paper.id }),
    ),
  );
  const claimReport = await bulkIndex(
    http,
    names.alias('paper-keys'),
    claims.map((claim) => ({ id: claim.claimId, source: { paperId: claim.paperId } })),
  );
  return [papers, claimReport];
}

export async function importLedger(http: OpenSearchHttp, names: IndexNames, entries: readonly LedgerEntry[]) {
  return bulkIndex(
    http,
    names.alias('ledger'),
    entries.map((entry, i) => ({ source: { ...entry, at: new Date(entry.at).toISOString(), seq: i } })),
  );
}

export async function importCoordination(
  http: OpenSearchHttp,
  names: IndexNames,
  records: readonly CoordinationRecord<unknown>[],
) {
  return bulkIndex(
    http,
    names.alias('coordination'),
    records.map((r) => ({
      id: r.key,
      source: { key: r.key, value: r.value, version: r.version, expiresAt: r.expiresAt ?? null },
    })),
  );
}

/**
 * Evolve searches (issue 13) with the paper claims that make a live one live: a search document keeps its id, so
 * a second run overwrites rather than duplicates it, and each live search claims its paper as
 * `OpenSearchSearchStore.create` would (an ended one needs no claim: the store counts only claimed searches live).
 */
export async function importSearches(
  http: OpenSearchHttp,
  names: IndexNames,
  searches: readonly EvolveSearch[],
): Promise<BulkReport[]> {
  const documents = await bulkIndex(
    http,
    names.alias('searches'),
    searches.map((search) => ({ id: search.id, source: searchDocumentOf(search) })),
  );
  // The documents first, as the store does: a claim never names a search that is not there.
  const live = searches.filter((search) => !SEARCH_ENDS.includes(search.state));
  const claims = await bulkIndex(
    http,
    names.alias('search-claims'),
    live.map((search) => ({ id: search.paperId, source: { searchId: search.id } })),
  );
  return [documents, claims];
}

function idOfAction(action: unknown): string | undefined {
  const meta = Object.values((action ?? {}) as Record<string, { _id?: unknown }>)[0];
  return typeof meta?._id === 'string' ? meta._id : undefined;
}
