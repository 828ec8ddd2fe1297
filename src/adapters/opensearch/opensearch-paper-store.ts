import { setTimeout as sleepMs } from 'node:timers/promises';
import { type WaitingPaper, WaitingPaperSchema } from '../../domain/waiting-paper.js';
import { titleKey } from '../../domain/identifiers.js';
import {
  dedupKeysOf,
  mergeScraped,
  newPaperFrom,
  normaliseSourceKey,
  primarySourceKey,
  titleKeyUsableForDedup,
} from '../../domain/paper-merge.js';
import { applyTransition, assertTransitionEvent } from '../../domain/apply-transition.js';
import { AWAITING_HUMAN, PAPER_STATES, type PaperState } from '../../domain/paper-state.js';
import { type ThreadCandidates, threadCandidatesOf } from '../../domain/thread-rank.js';
import { AFTER_JUDGING, type WindowActivity, windowActivityOf } from '../../domain/window-activity.js';
import {
  type AuditEntry,
  type Paper,
  PaperSchema,
  type ScrapedPaper,
  ScrapedPaperSchema,
} from '../../domain/paper.js';
import { NotFoundError, TransientError } from '../../errors.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import type {
  IngestOutcome,
  PaperPatch,
  PaperStore,
  SearchHit,
  SearchQuery,
  TransitionRequest,
  TransitionResult,
} from '../../ports/paper-store.js';
import { Documents, type RefreshPolicy } from './documents.js';
import type { OpenSearchHttp } from './http.js';
import type { IndexNames } from './indices.js';
import { PaperClaims } from './paper-claims.js';
import { auditFromSource, documentOf, paperFromSource } from './paper-documents.js';
import {
  byStateQuery,
  countByStateQuery,
  createdSinceQuery,
  filteredListQuery,
  fullTextQuery,
  hasWords,
  similarQuery,
} from './paper-queries.js';
import { type SearchResponse, TermsAggregationSchema } from './schema.js';

type MatchedOn = 'sourceKey' | 'arxivId' | 'titleKey';

export interface OpenSearchPaperStoreOptions {
  http: OpenSearchHttp;
  names: IndexNames;
  clock?: Clock;
  refresh?: RefreshPolicy;
  /** Waits between retries of a write that raced another writer (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
}

/** Retries of one operation that keeps losing compare-and-set races before it gives up as transient. */
const MAX_RACES = 8;
const OPENSEARCH_MAX_WINDOW = 10_000;

/**
 * PaperStore on OpenSearch. Each paper is one document holding the zod Paper and its audit log, so a state
 * change and its audit entry are one write, made conditional with `if_seq_no`/`if_primary_term`: two
 * approvers pressing at once give exactly one winner, and the loser is told who won. Dedup keys are claimed
 * in a second index with create-only writes (see PaperClaims). Full-text search is `multi_match`, "similar
 * papers" is `more_like_this`.
 */
export class OpenSearchPaperStore implements PaperStore {
  private readonly papers: Documents;
  private readonly claims: PaperClaims;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: OpenSearchPaperStoreOptions) {
    this.papers = new Documents(options.http, options.names.alias('papers'), options.refresh ?? 'true');
    this.claims = new PaperClaims(new Documents(options.http, options.names.alias('paper-keys'), 'false'));
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? ((ms) => sleepMs(ms).then(() => undefined));
  }

  async ingest(input: ScrapedPaper, rawKey?: string): Promise<IngestOutcome> {
    const scraped = ScrapedPaperSchema.parse(input);
    for (let race = 1; race <= MAX_RACES; race += 1) {
      const now = this.now();
      const match = await this.findMatch(scraped);
      if (match) {
        const stored = await this.papers.get(match.paperId);
        if (!stored) {
          // A claim without its paper: another ingest is between its claims and its create, or died there.
          if (race < MAX_RACES / 2) {
            await this.sleep(25 * race);
            continue;
          }
          const adopted = PaperSchema.parse({ ...newPaperFrom(scraped, now, rawKey), id: match.paperId });
          if (await this.papers.create(adopted.id, documentOf(adopted, []))) {
            await this.claimAll(adopted);
            return { kind: 'created', paper: adopted };
          }
          continue;
        }
        const current = paperFromSource(stored.source, stored.id);
        const merged = mergeScraped(current, scraped, now, rawKey);
        if (!merged) return { kind: 'unchanged', paper: current, matchedOn: match.matchedOn };
        const audit = auditFromSource(stored.source, stored.id);
        if (!(await this.papers.replaceIf(merged.id, documentOf(merged, audit), stored.token))) continue;
        await this.claimAll(merged);
        return { kind: 'merged', paper: merged, matchedOn: match.matchedOn };
      }
      const paper = newPaperFrom(scraped, now, rawKey);
      const claimed = await this.claimAll(paper);
      if (!claimed) continue;
      if (!(await this.papers.create(paper.id, documentOf(paper, [])))) continue;
      return { kind: 'created', paper };
    }
    throw new TransientError(`Ingest of ${primarySourceKey(scraped)} kept racing other writers; try again`);
  }

  async get(paperId: string): Promise<Paper | undefined> {
    const stored = await this.papers.get(paperId);
    return stored ? paperFromSource(stored.source, stored.id) : undefined;
  }

  async findBySourceKey(sourceKey: string): Promise<Paper | undefined> {
    if (/^p_[a-z0-9]+$/.test(sourceKey.trim())) return this.get(sourceKey.trim());
    const key = normaliseSourceKey(sourceKey);
    const owner = (await this.claims.owners([key])).get(key);
    return owner ? this.get(owner) : undefined;
  }

  async transition(request: TransitionRequest): Promise<TransitionResult> {
    assertTransitionEvent(request.paperId, request);
    for (let race = 1; race <= MAX_RACES; race += 1) {
      const stored = await this.papers.get(request.paperId);
      if (!stored) return { ok: false, reason: 'not_found' };
      const current = paperFromSource(stored.source, stored.id);
      const audit = auditFromSource(stored.source, stored.id);
      const applied = applyTransition(current, request, request.actor, this.now());
      if (!applied.ok) return { ok: false, reason: 'conflict', paper: current, lastAudit: audit.at(-1) };
      const { paper: next, audit: entry } = applied;
      if (await this.papers.replaceIf(current.id, documentOf(next, [...audit, entry]), stored.token)) {
        return { ok: true, paper: next, audit: entry };
      }
      // Someone wrote the paper in between: read again; their write decides whether this one still applies.
    }
    throw new TransientError(`Paper ${request.paperId} kept changing under the transition; try again`);
  }

  async update(paperId: string, patch: PaperPatch, options: { ifVersion?: number } = {}) {
    for (let race = 1; race <= MAX_RACES; race += 1) {
      const stored = await this.papers.get(paperId);
      if (!stored) throw new NotFoundError(`Paper ${paperId} does not exist`, { context: { paperId } });
      const current = paperFromSource(stored.source, stored.id);
      if (options.ifVersion !== undefined && current.version !== options.ifVersion) return undefined;
      const next = PaperSchema.parse({
        ...current,
        ...patch,
        version: current.version + 1,
        updatedAt: this.now(),
      });
      const audit = auditFromSource(stored.source, stored.id);
      if (await this.papers.replaceIf(paperId, documentOf(next, audit), stored.token)) return next;
      if (options.ifVersion !== undefined) return undefined;
    }
    throw new TransientError(`Paper ${paperId} kept changing under the update; try again`);
  }

  async audit(paperId: string): Promise<AuditEntry[]> {
    const stored = await this.papers.get(paperId);
    return stored ? auditFromSource(stored.source, stored.id) : [];
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    if (!hasWords(query.text)) {
      return this.hits(await this.papers.search('list papers', filteredListQuery(query))).map((hit) => ({
        ...hit,
        score: 0,
      }));
    }
    let hits = this.hits(await this.papers.search('search papers', fullTextQuery(query, 'and')));
    if (hits.length === 0 && query.text.trim().split(/\s+/).length > 1) {
      hits = this.hits(await this.papers.search('search papers', fullTextQuery(query, 'or')));
    }
    return hits;
  }

  async similar(text: string, options: { limit: number; excludeId?: string }): Promise<Paper[]> {
    if (!hasWords(text) || options.limit <= 0) return [];
    const response = await this.papers.search(
      'find similar papers',
      similarQuery(text, options.limit, options.excludeId),
    );
    return this.hits(response).map((hit) => hit.paper);
  }

  async listByState(
    states: readonly PaperState[],
    options: { limit?: number; updatedSince?: string } = {},
  ): Promise<Paper[]> {
    if (states.length === 0) return [];
    const limit = Math.min(options.limit ?? 1000, OPENSEARCH_MAX_WINDOW);
    const response = await this.papers.search(
      'list papers by state',
      byStateQuery(states, limit, options.updatedSince),
    );
    return this.hits(response).map((hit) => hit.paper);
  }

  async threadCandidates(options: { limit: number; scan: number }): Promise<ThreadCandidates> {
    return threadCandidatesOf(await this.listByState(['accepted'], { limit: options.scan }), options.limit);
  }

  async waitingWithThread(options: { scan: number }): Promise<WaitingPaper[]> {
    const waiting = await this.listByState(AWAITING_HUMAN, { limit: options.scan });
    return waiting.filter((paper) => paper.thread).map((paper) => WaitingPaperSchema.parse(paper));
  }

  async activitySince(options: { since: string; limit: number }): Promise<WindowActivity> {
    const since = new Date(options.since).toISOString();
    const [created, touched] = await Promise.all([
      this.countCreatedSince(since),
      this.listByState(AFTER_JUDGING, { updatedSince: since, limit: options.limit }),
    ]);
    return windowActivityOf(created, touched, since);
  }

  async countByState(): Promise<Partial<Record<PaperState, number>>> {
    const response = await this.papers.search('count papers by state', countByStateQuery());
    const counts: Partial<Record<PaperState, number>> = {};
    for (const bucket of TermsAggregationSchema.parse(response.aggregations?.states).buckets) {
      const state = String(bucket.key) as PaperState;
      if ((PAPER_STATES as readonly string[]).includes(state)) counts[state] = bucket.doc_count;
    }
    return counts;
  }

  async countCreatedSince(since: string): Promise<Record<string, number>> {
    const response = await this.papers.search(
      'count new papers',
      createdSinceQuery(new Date(since).toISOString()),
    );
    const counts: Record<string, number> = {};
    for (const bucket of TermsAggregationSchema.parse(response.aggregations?.sources).buckets) {
      counts[String(bucket.key)] = bucket.doc_count;
    }
    return counts;
  }

  async close(): Promise<void> {
    await this.options.http.raw.close();
  }

  private hits(response: SearchResponse): SearchHit[] {
    return response.hits.hits.map((hit) => ({
      paper: paperFromSource(hit._source, hit._id),
      score: hit._score ?? 0,
    }));
  }

  /** Source key first, then arXiv id, then the title key (only for titles specific enough), like the embedded store. */
  private async findMatch(
    scraped: ScrapedPaper,
  ): Promise<{ paperId: string; matchedOn: MatchedOn } | undefined> {
    const primary = normaliseSourceKey(primarySourceKey(scraped));
    const sourceKeys = [
      primary,
      ...dedupKeysOf(scraped).filter((k) => k !== primary && !k.startsWith('arxiv:')),
    ];
    const arxivId = scraped.arxivId ?? (scraped.source === 'arxiv' ? scraped.sourceId : undefined);
    const arxivKey = arxivId ? normaliseSourceKey(`arxiv:${arxivId}`) : undefined;
    const key = titleKey(scraped.title);
    const titleClaim = titleKeyUsableForDedup(key) ? `title:${key}` : undefined;
    const owners = await this.claims.owners([
      ...sourceKeys,
      ...(arxivKey ? [arxivKey] : []),
      ...(titleClaim ? [titleClaim] : []),
    ]);
    const bySource = sourceKeys.map((k) => owners.get(k)).find(Boolean);
    if (bySource) return { paperId: bySource, matchedOn: 'sourceKey' };
    const byArxiv = arxivKey ? owners.get(arxivKey) : undefined;
    if (byArxiv) return { paperId: byArxiv, matchedOn: 'arxivId' };
    const byTitle = titleClaim ? owners.get(titleClaim) : undefined;
    return byTitle ? { paperId: byTitle, matchedOn: 'titleKey' } : undefined;
  }

  /**
   * Claims every dedup key of the paper. If another paper owns one of them, a concurrent ingest got there
   * first: this one's fresh claims are given back and the caller starts over (and will merge into that paper).
   */
  private async claimAll(paper: Paper): Promise<boolean> {
    const keys = [
      ...paper.sourceKeys,
      ...(titleKeyUsableForDedup(paper.titleKey) ? [`title:${paper.titleKey}`] : []),
    ];
    const taken: string[] = [];
    for (const key of keys) {
      const outcome = await this.claims.claim(key, paper.id);
      if (outcome.kind === 'claimed') {
        taken.push(key);
        continue;
      }
      const isNew = paper.version === 1;
      if (!isNew) continue; // a merged paper keeps its claims; a key owned elsewhere stays there
      for (const mine of taken) await this.claims.release(mine, paper.id);
      return false;
    }
    return true;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
