import { z } from 'zod';
import {
  applySearchMove,
  applySearchPatch,
  type SearchMove,
  type SearchPatch,
} from '../../domain/evolve-search-move.js';
import { EvolveSearchSchema, type EvolveSearch } from '../../domain/evolve-search.js';
import { SEARCH_ENDS } from '../../domain/evolve-search-state.js';
import { PermanentError, TransientError } from '../../errors.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import type { SearchMoveResult, SearchStore } from '../../ports/search-store.js';
import { Documents, type RefreshPolicy, type StoredDocument } from './documents.js';
import type { OpenSearchHttp } from './http.js';
import type { IndexNames } from './indices.js';

const SearchSourceSchema = z.object({ search: z.unknown() });
const ClaimSchema = z.object({ searchId: z.string() });

/** Concurrent creates for one paper settle within a few rounds; more means something keeps rewriting the claim. */
const MAX_RACES = 8;
/** Live searches are few (one per paper at most, and each costs an approval). */
const LIVE_LIMIT = 1000;

const isLive = (search: EvolveSearch) => !SEARCH_ENDS.includes(search.state);

/** A search's document: the columns queries need beside the whole record (also what the migration writes). */
export function searchDocumentOf(search: EvolveSearch) {
  return {
    id: search.id,
    paperId: search.paperId,
    state: search.state,
    version: search.version,
    createdAt: search.createdAt,
    updatedAt: search.updatedAt,
    search,
  };
}

function searchOf(doc: StoredDocument): EvolveSearch {
  return EvolveSearchSchema.parse(SearchSourceSchema.parse(doc.source).search);
}

/**
 * Evolve searches on OpenSearch (issue 13, item 7), the same contract as the SQLite store
 * (`test/contracts/search-store.contract.ts`). Every move and update is a compare-and-set with
 * `if_seq_no`/`if_primary_term` on the search's document, so two workers never both make a move.
 *
 * OpenSearch has no unique index, so "one live search per paper" is a claim document per paper (id = paper id)
 * naming its search: taken with `op_type=create`, or, when the search it names has ended, replaced on its
 * sequence number. The search's own document is written before the claim, so a claim never names a search that
 * does not exist; a crash between the two leaves an unclaimed document that no reader counts as live, and the
 * same `create` retried takes the claim for it. Reads by id are real-time; `listLive` finds candidates by query
 * and then re-reads them and their claims by id, so a Serverless collection's refresh delay cannot resurrect an
 * ended search.
 */
export class OpenSearchSearchStore implements SearchStore {
  private readonly docs: Documents;
  private readonly claims: Documents;
  private readonly clock: Clock;

  constructor(options: { http: OpenSearchHttp; names: IndexNames; clock?: Clock; refresh?: RefreshPolicy }) {
    this.docs = new Documents(options.http, options.names.alias('searches'), options.refresh ?? 'true');
    // Claims are only ever read by id (real-time), so they need no refresh.
    this.claims = new Documents(options.http, options.names.alias('search-claims'), 'false');
    this.clock = options.clock ?? systemClock;
  }

  async create(search: EvolveSearch): Promise<{ created: boolean; search: EvolveSearch }> {
    const parsed = EvolveSearchSchema.parse(search);
    let written = false;
    for (let race = 0; race < MAX_RACES; race += 1) {
      const claim = await this.readClaim(parsed.paperId);
      if (claim) {
        const holder = await this.get(claim.searchId);
        if (holder && isLive(holder)) {
          if (holder.id !== parsed.id && written) await this.dropUnclaimed(parsed.id);
          return { created: false, search: holder };
        }
      }
      // Free: no claim, or its search has ended. The document first (a 409 means an earlier try wrote it).
      if (!(await this.docs.create(parsed.id, searchDocumentOf(parsed)))) {
        const existing = await this.get(parsed.id);
        if (existing && !isLive(existing)) {
          throw new PermanentError(`Evolve search ${parsed.id} already exists and has ended`);
        }
      }
      written = true;
      const taken = claim
        ? await this.claims.replaceIf(parsed.paperId, { searchId: parsed.id }, claim.doc.token)
        : await this.claims.create(parsed.paperId, { searchId: parsed.id });
      if (taken) return { created: true, search: (await this.get(parsed.id)) ?? parsed };
      // Another create took the claim between our read and our write: look again at who holds it.
    }
    throw new TransientError(`Could not create evolve search ${parsed.id}: its paper's claim kept changing`);
  }

  async get(searchId: string): Promise<EvolveSearch | undefined> {
    const doc = await this.docs.get(searchId);
    return doc ? searchOf(doc) : undefined;
  }

  async liveFor(paperId: string): Promise<EvolveSearch | undefined> {
    const claim = await this.readClaim(paperId);
    if (!claim) return undefined;
    const search = await this.get(claim.searchId);
    return search && isLive(search) ? search : undefined;
  }

  async listLive(): Promise<EvolveSearch[]> {
    const response = await this.docs.search('list live evolve searches', {
      size: LIVE_LIMIT,
      query: { bool: { must_not: [{ terms: { state: [...SEARCH_ENDS] } }] } },
      sort: [{ createdAt: { order: 'asc' } }, { id: { order: 'asc' } }],
    });
    const ids = response.hits.hits.map((hit) => hit._id);
    const current = await this.docs.getMany(ids);
    const searches = ids.flatMap((id) => {
      const doc = current.get(id);
      const search = doc ? searchOf(doc) : undefined;
      return search && isLive(search) ? [search] : [];
    });
    const claims = await this.claims.getMany([...new Set(searches.map((s) => s.paperId))]);
    // Only a claimed search is live: an unclaimed document is a create that crashed or lost its race.
    return searches.filter(
      (search) => ClaimSchema.safeParse(claims.get(search.paperId)?.source).data?.searchId === search.id,
    );
  }

  async move(searchId: string, move: SearchMove): Promise<SearchMoveResult> {
    const at = this.clock.now().toISOString();
    return this.writeNext(searchId, (current) => {
      const applied = applySearchMove(current, move, at);
      return applied.ok ? applied : { ok: false };
    });
  }

  async update(
    searchId: string,
    patch: SearchPatch,
    options: { ifVersion: number },
  ): Promise<EvolveSearch | undefined> {
    const at = this.clock.now().toISOString();
    const result = await this.writeNext(searchId, (current) =>
      current.version === options.ifVersion
        ? { ok: true, search: applySearchPatch(current, patch, at) }
        : { ok: false },
    );
    return result.ok ? result.search : undefined;
  }

  /** Read, apply, write on the document's sequence number: a write that lost a race is a conflict. */
  private async writeNext(
    searchId: string,
    next: (current: EvolveSearch) => { ok: true; search: EvolveSearch } | { ok: false },
  ): Promise<SearchMoveResult> {
    const doc = await this.docs.get(searchId);
    if (!doc) return { ok: false, reason: 'not_found' };
    const current = searchOf(doc);
    const applied = next(current);
    if (!applied.ok) return { ok: false, reason: 'conflict', search: current };
    if (await this.docs.replaceIf(searchId, searchDocumentOf(applied.search), doc.token)) {
      return { ok: true, search: applied.search };
    }
    const winner = await this.get(searchId);
    return winner ? { ok: false, reason: 'conflict', search: winner } : { ok: false, reason: 'not_found' };
  }

  private async readClaim(paperId: string): Promise<{ doc: StoredDocument; searchId: string } | undefined> {
    const doc = await this.claims.get(paperId);
    const claim = ClaimSchema.safeParse(doc?.source);
    return doc && claim.success ? { doc, searchId: claim.data.searchId } : undefined;
  }

  /** Remove the document of a create that lost the claim, unless someone has claimed or changed it since. */
  private async dropUnclaimed(searchId: string): Promise<void> {
    const doc = await this.docs.get(searchId);
    if (doc) await this.docs.deleteIf(doc.id, doc.token);
  }
}
