import { PermanentError } from '../../errors.js';
import { errorTypeOf, type OpenSearchHttp } from './http.js';

/**
 * Sherpa's indices. Each is created as `<prefix>-<name>-v<N>` and used only through the alias `<prefix>-<name>`,
 * so a mapping change ships as a new `-v<N+1>` index, a reindex and an alias flip (docs/operations.md), never an
 * in-place edit. Mappings are strict: a field the code does not know is an error, not a silent new mapping.
 */
export const MAPPING_VERSION = 1;

const keyword = { type: 'keyword' } as const;
const opaque = { type: 'object', enabled: false } as const;

export const INDEX_MAPPINGS = {
  papers: {
    dynamic: 'strict',
    properties: {
      id: keyword,
      // English analysis (stop words, Porter stemming): "quantized" finds "quantization".
      title: { type: 'text', analyzer: 'english' },
      abstract: { type: 'text', analyzer: 'english' },
      authors: { type: 'text', analyzer: 'standard' },
      venue: keyword,
      /** The venue lower-cased, for filters that ignore case (`iclr` finds `ICLR`). */
      venueKey: keyword,
      year: { type: 'integer' },
      state: keyword,
      source: keyword,
      sourceKeys: keyword,
      titleKey: keyword,
      arxivId: keyword,
      createdAt: { type: 'date' },
      updatedAt: { type: 'date' },
      version: { type: 'integer' },
      /** The whole zod Paper and its audit log, stored but not indexed. */
      paper: opaque,
      audit: opaque,
    },
  },
  /** Dedup claims: one document per source key or title key, naming the paper that owns it. */
  'paper-keys': { dynamic: 'strict', properties: { paperId: keyword } },
  /** Evolve searches (issue 13, item 7): the columns queries need, and the whole zod record, not indexed. */
  searches: {
    dynamic: 'strict',
    properties: {
      id: keyword,
      paperId: keyword,
      state: keyword,
      version: { type: 'integer' },
      createdAt: { type: 'date' },
      updatedAt: { type: 'date' },
      search: opaque,
    },
  },
  /** One document per paper (id = paper id) naming its live search: what keeps one live search per paper. */
  'search-claims': { dynamic: 'strict', properties: { searchId: keyword } },
  coordination: {
    dynamic: 'strict',
    properties: { key: keyword, value: opaque, version: { type: 'integer' }, expiresAt: { type: 'date' } },
  },
  ledger: {
    dynamic: 'strict',
    properties: {
      at: { type: 'date' },
      seq: { type: 'long' },
      paperId: keyword,
      runId: keyword,
      kind: keyword,
      resource: keyword,
      purpose: keyword,
      inputTokens: { type: 'long' },
      outputTokens: { type: 'long' },
      cacheReadTokens: { type: 'long' },
      cacheWriteTokens: { type: 'long' },
      seconds: { type: 'double' },
      usd: { type: 'double' },
      // A run's execution info (issue 12, item 6), on its instance entries.
      execution: {
        dynamic: 'strict',
        properties: {
          instanceType: keyword,
          market: keyword,
          device: keyword,
          wallSeconds: { type: 'double' },
          throughput: {
            dynamic: 'strict',
            properties: { value: { type: 'double' }, unit: keyword },
          },
        },
      },
    },
  },
} as const;

export type IndexName = keyof typeof INDEX_MAPPINGS;

export interface IndexNames {
  /** What every read and write uses. */
  alias(name: IndexName): string;
  /** The concrete index this version of Sherpa creates. */
  physical(name: IndexName): string;
}

export function indexNames(prefix: string): IndexNames {
  return {
    alias: (name) => `${prefix}-${name}`,
    physical: (name) => `${prefix}-${name}-v${MAPPING_VERSION}`,
  };
}

/**
 * Creates any missing index with its mapping and alias (safe to run from several processes at once), and refuses
 * to start when an alias points at an index of another mapping version.
 */
export async function ensureIndices(http: OpenSearchHttp, names: IndexNames): Promise<void> {
  for (const name of Object.keys(INDEX_MAPPINGS) as IndexName[]) {
    const alias = names.alias(name);
    const physical = names.physical(name);
    const existing = await http.call(
      `look up index ${alias}`,
      { method: 'GET', path: `/_alias/${alias}` },
      [404],
    );
    if (existing.status === 200) {
      const targets = Object.keys((existing.body ?? {}) as Record<string, unknown>);
      if (!targets.includes(physical)) {
        throw new PermanentError(
          `OpenSearch alias ${alias} points to ${targets.join(', ')}, but this version of Sherpa uses ${physical}`,
          { hint: 'Reindex into the new index and move the alias (docs/operations.md, "Upgrading")' },
        );
      }
      // Fields added since the index was made (e.g. the ledger's `execution`, issue 12) are additive: OpenSearch
      // takes them on the live index, so a strict mapping never refuses a newer Sherpa's documents.
      await http.call(`update the mapping of ${physical}`, {
        method: 'PUT',
        path: `/${physical}/_mapping`,
        body: INDEX_MAPPINGS[name],
      });
      continue;
    }
    const created = await http.call(
      `create index ${physical}`,
      {
        method: 'PUT',
        path: `/${physical}`,
        body: { mappings: INDEX_MAPPINGS[name], aliases: { [alias]: { is_write_index: true } } },
      },
      [400],
    );
    if (created.status === 400) {
      if (errorTypeOf(created.body).type !== 'resource_already_exists_exception') {
        throw new PermanentError(`OpenSearch refused to create ${physical}: ${JSON.stringify(created.body)}`);
      }
      // Another process created it first; make sure the alias exists too.
      await http.call(`alias ${physical}`, { method: 'PUT', path: `/${physical}/_alias/${alias}` });
    }
  }
}
