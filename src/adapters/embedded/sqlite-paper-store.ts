import {
  dedupKeysOf,
  mergeScraped,
  newPaperFrom,
  normaliseSourceKey,
  primarySourceKey,
  titleKeyUsableForDedup,
} from '../../domain/paper-merge.js';
import { applyTransition, assertTransitionEvent, fromStatesOf } from '../../domain/apply-transition.js';
import type { PaperState } from '../../domain/paper-state.js';
import {
  type AuditEntry,
  type Paper,
  PaperSchema,
  type ScrapedPaper,
  ScrapedPaperSchema,
} from '../../domain/paper.js';
import { titleKey } from '../../domain/identifiers.js';
import { NotFoundError } from '../../errors.js';
import { SliceClock, yieldToEventLoop } from '../../event-loop-slices.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import type {
  CommittedTransition,
  IngestEntry,
  IngestOutcome,
  PaperOutbox,
  PaperPatch,
  PaperStore,
  SearchHit,
  SearchQuery,
  ThreadCandidates,
  TransitionRequest,
  WindowActivity,
  TransitionResult,
} from '../../ports/paper-store.js';
import type { WorkQueue } from '../../ports/work-queue.js';
import { runSql, type SherpaDatabase } from './sqlite-database.js';
import { SqlitePaperSearch } from './sqlite-paper-search.js';
import { ReadWorkers } from './read-workers.js';
import { StoreMaintenance } from './store-maintenance.js';
import { FtsMerger } from './fts-merger.js';
import { PaperStatements } from './sqlite-paper-statements.js';
import { type AuditRow, auditFromRow, auditRowOf, ftsColumnsOf, paperFromDoc } from './sqlite-paper-rows.js';
import { SqliteWorkQueue } from './sqlite-work-queue.js';

type MatchedOn = 'sourceKey' | 'arxivId' | 'titleKey';

const READ_WORKERS_FROM_PAPERS = 10_000;

export interface SqlitePaperStoreOptions {
  clock?: Clock;
  /** Close the database with the store (when nothing else shares it). */
  ownsDatabase?: boolean;
  /**
   * Run the heavy reads (`search`, `similar`, `listByState`, `countByState`, `countCreatedSince`) on up to this
   * many worker threads with their own read-only connections, so no query holds the event loop (issue 14). 0
   * (the default) runs them here; an in-memory database always does.
   */
  readWorkers?: number;
  /**
   * Use the workers only once the store holds this many papers (default 10,000). Below it every such read takes
   * a millisecond or two here, less than the hop to a thread, and a process with a small store (a new install,
   * a test) never pays for starting one.
   */
  readWorkersFromPapers?: number;
}

/**
 * PaperStore on SQLite: the zod `Paper` as a JSON document plus indexed columns, dedup keys, an audit log and
 * an FTS5 index. Writes that read-then-write run in IMMEDIATE transactions, so two processes on one file
 * serialise on SQLite's write lock, and every state change is a conditional UPDATE (compare-and-set).
 */
export class SqlitePaperStore implements PaperStore {
  private readonly clock: Clock;
  private readonly sql: PaperStatements;
  private readonly searcher: SqlitePaperSearch;
  private readonly workers: ReadWorkers | undefined;
  private readonly maintenance: StoreMaintenance | undefined;
  private readonly merger: FtsMerger;
  private readonly workersFrom: number;
  private readonly paperCount;
  private largeEnough = false;

  constructor(
    private readonly database: SherpaDatabase,
    private readonly options: SqlitePaperStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.sql = new PaperStatements(database.connection);
    this.searcher = new SqlitePaperSearch(database.connection);
    this.merger = new FtsMerger(database.connection);
    this.workersFrom = options.readWorkersFromPapers ?? READ_WORKERS_FROM_PAPERS;
    // seq only grows and papers are never deleted: the last one is the count, read from the end of the table.
    this.paperCount = database.connection.prepare<[], { n: number }>(
      'SELECT COALESCE(MAX(seq), 0) AS n FROM papers',
    );
    const size = options.readWorkers ?? 0;
    if (size > 0 && database.location !== ':memory:') {
      this.workers = new ReadWorkers({ location: database.location, size });
      this.maintenance = new StoreMaintenance({
        location: database.location,
        connection: database.connection,
      });
    }
  }

  async ingest(input: ScrapedPaper, rawKey?: string): Promise<IngestOutcome> {
    const scraped = ScrapedPaperSchema.parse(input);
    const now = this.now();
    const ingestOnce = this.database.connection.transaction((): IngestOutcome =>
      this.ingestInTransaction(scraped, now, rawKey),
    );
    const outcome = runSql(this.database, () => ingestOnce.immediate());
    this.wrotePapers();
    return outcome;
  }

  /**
   * A page of a scrape in a few transactions instead of one per paper (issue 3's ingest benchmark), each ending
   * once it has held the event loop for a slice (`ingestAll`).
   */
  async ingestMany(items: readonly IngestEntry[]): Promise<IngestOutcome[]> {
    return this.ingestAll(items, () => {});
  }

  async knownFingerprints(fingerprints: readonly string[]): Promise<ReadonlySet<string>> {
    if (fingerprints.length === 0) return new Set();
    return runSql(this.database, () => this.sql.knownFingerprints(fingerprints));
  }

  /**
   * A page in IMMEDIATE transactions of one slice each (`SLICE_MS`, at least one paper), with a turn of the event
   * loop between them: a 1,000-paper page in one transaction held the loop that acks Slack for about 450 ms on a
   * 500,000-paper store (issue 14, item 3). Each paper, its keys and what `alsoWrite` adds for it (the outbox's
   * message) still commit together, which is all a crash needs: the scrape's checkpoint moves on only after the
   * whole page, and a page done again finds its stored papers as duplicates.
   */
  private async ingestAll(
    items: readonly IngestEntry[],
    alsoWrite: (outcome: IngestOutcome) => void,
  ): Promise<IngestOutcome[]> {
    const outcomes: IngestOutcome[] = [];
    const now = this.now();
    const slice = this.database.connection.transaction((from: number): IngestOutcome[] => {
      const clock = new SliceClock();
      const done: IngestOutcome[] = [];
      for (let index = from; index < items.length && (index === from || !clock.spent()); index++) {
        const item = items[index] as IngestEntry;
        const scraped = ScrapedPaperSchema.parse(item.paper);
        const outcome = this.ingestInTransaction(scraped, now, item.rawKey, item.fingerprint);
        alsoWrite(outcome);
        done.push(outcome);
      }
      return done;
    });
    while (outcomes.length < items.length) {
      if (outcomes.length > 0) await yieldToEventLoop();
      // Counted only once committed: a transaction that fails leaves nothing behind, here or in the file.
      outcomes.push(...runSql(this.database, () => slice.immediate(outcomes.length)));
      this.wrotePapers();
    }
    return outcomes;
  }

  /**
   * Each commit that wrote papers added an FTS5 segment and WAL pages: the segments are merged in short steps
   * between slices (fts-merger.ts) before a level fills up and a commit has to merge it, and a large store
   * checkpoints its WAL off this thread (store-maintenance.ts).
   */
  private wrotePapers(): void {
    this.merger.wrote();
    if (this.offThread()) this.maintenance?.wrote();
  }

  private ingestInTransaction(
    scraped: ScrapedPaper,
    now: string,
    rawKey: string | undefined,
    fingerprint?: string,
  ): IngestOutcome {
    const match = this.findMatch(scraped);
    if (!match) {
      const paper = newPaperFrom(scraped, now, rawKey);
      this.sql.insertPaper(paper, ftsColumnsOf(paper));
      this.addKeys(paper.id, paper.sourceKeys, scraped, fingerprint);
      return { kind: 'created', paper };
    }
    const merged = mergeScraped(match.paper, scraped, now, rawKey);
    if (!merged) {
      this.addKeys(match.paper.id, [], scraped, fingerprint);
      return { kind: 'unchanged', paper: match.paper, matchedOn: match.matchedOn };
    }
    this.sql.replacePaper(merged, match.paper.version, ftsColumnsOf(merged));
    this.addKeys(merged.id, merged.sourceKeys, scraped, fingerprint);
    return { kind: 'merged', paper: merged, matchedOn: match.matchedOn };
  }

  /**
   * A paper's dedup keys, and the fingerprint of the record just stored under the record's own key, in the same
   * transaction as the paper: a fingerprint is only ever known for a record whose merge is committed.
   */
  private addKeys(paperId: string, keys: readonly string[], scraped: ScrapedPaper, fingerprint?: string) {
    if (fingerprint === undefined) {
      this.sql.addSourceKeys(paperId, keys);
      return;
    }
    const own = normaliseSourceKey(primarySourceKey(scraped));
    this.sql.addSourceKeys(
      paperId,
      keys.filter((key) => key !== own),
    );
    this.sql.keepFingerprint(paperId, own, fingerprint);
  }

  async get(paperId: string): Promise<Paper | undefined> {
    return runSql(this.database, () => this.read(paperId));
  }

  async findBySourceKey(sourceKey: string): Promise<Paper | undefined> {
    const key = sourceKey.trim();
    return runSql(this.database, () => {
      if (/^p_[a-z0-9]+$/.test(key)) return this.read(key);
      const paperId = this.sql.paperIdForKey(normaliseSourceKey(key));
      return paperId ? this.read(paperId) : undefined;
    });
  }

  async transition(request: TransitionRequest): Promise<TransitionResult> {
    return this.transitionThen(request, () => {});
  }

  /**
   * The queues in this store's database share its transactions: the state change and the message it causes
   * are one commit (issue 10, found item 8). A queue elsewhere (SQS) gets no outbox.
   */
  outboxFor<T>(queue: WorkQueue<T>): PaperOutbox<T> | undefined {
    if (!(queue instanceof SqliteWorkQueue) || !queue.sharesDatabase(this.database)) return undefined;
    const local: SqliteWorkQueue<T> = queue;
    return {
      ingestMany: async (items, message) => {
        let sent = false;
        const outcomes = await this.ingestAll(items, (outcome) => {
          const caused = message(outcome);
          if (caused) sent = !local.insertWithinTransaction(caused.body, caused.options).duplicate || sent;
        });
        if (sent) local.announceArrival();
        return outcomes;
      },
      transition: async (request, message) => {
        const result = await this.transitionThen(request, (committed) => {
          const { body, options } = message(committed);
          local.insertWithinTransaction(body, options);
        });
        if (result.ok) local.announceArrival();
        return result;
      },
    };
  }

  /** A compare-and-set transition; `alsoWrite` runs in the same IMMEDIATE transaction once it applies. */
  private async transitionThen(
    request: TransitionRequest,
    alsoWrite: (committed: CommittedTransition) => void,
  ): Promise<TransitionResult> {
    assertTransitionEvent(request.paperId, request);
    const from = fromStatesOf(request);
    const now = this.now();
    const attempt = this.database.connection.transaction((): TransitionResult => {
      const current = this.read(request.paperId);
      if (!current) return { ok: false, reason: 'not_found' };
      const applied = applyTransition(current, request, request.actor, now);
      if (!applied.ok) return this.conflict(current);
      const { paper: next, audit } = applied;
      if (!this.sql.compareAndSet(next, from, current.version)) return this.conflict(current);
      this.sql.appendAudit(auditRowOf(audit));
      const stored = auditFromRow(auditRowOf(audit));
      const entryNumber = this.sql.auditOf(current.id).filter((row) => row.to_state === request.to).length;
      alsoWrite({ paper: next, audit: stored, entryNumber });
      return { ok: true, paper: next, audit: stored };
    });
    return runSql(this.database, () => attempt.immediate());
  }

  async update(paperId: string, patch: PaperPatch, options: { ifVersion?: number } = {}) {
    const now = this.now();
    const attempt = this.database.connection.transaction((): Paper | undefined => {
      const current = this.read(paperId);
      if (!current) throw new NotFoundError(`Paper ${paperId} does not exist`, { context: { paperId } });
      if (options.ifVersion !== undefined && current.version !== options.ifVersion) return undefined;
      const next = PaperSchema.parse({ ...current, ...patch, version: current.version + 1, updatedAt: now });
      return this.sql.compareAndSet(next, [current.state], current.version) ? next : undefined;
    });
    return runSql(this.database, () => attempt.immediate());
  }

  async audit(paperId: string): Promise<AuditEntry[]> {
    return runSql(this.database, () => this.sql.auditOf(paperId).map(auditFromRow));
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    const workers = this.offThread();
    if (workers) return workers.read('search', { query });
    return runSql(this.database, () => this.searcher.search(query));
  }

  async similar(text: string, options: { limit: number; excludeId?: string }): Promise<Paper[]> {
    const workers = this.offThread();
    if (workers) return workers.read('similar', { text, ...options });
    return runSql(this.database, () => this.searcher.similar(text, options));
  }

  async listByState(
    states: readonly PaperState[],
    options: { limit?: number; updatedSince?: string } = {},
  ): Promise<Paper[]> {
    const limit = options.limit ?? 1000;
    const workers = this.offThread();
    if (workers) {
      const { updatedSince } = options;
      return workers.read('listByState', { states: [...states], limit, updatedSince });
    }
    return runSql(this.database, () =>
      this.sql.listByState(states, options.updatedSince, limit).map(paperFromDoc),
    );
  }

  async threadCandidates(options: { limit: number; scan: number }): Promise<ThreadCandidates> {
    const workers = this.offThread();
    if (workers) return workers.read('threadCandidates', options);
    return runSql(this.database, () => this.sql.threadCandidates(options.limit, options.scan));
  }

  async activitySince(options: { since: string; limit: number }): Promise<WindowActivity> {
    const since = new Date(options.since).toISOString();
    const workers = this.offThread();
    if (workers) return workers.read('activitySince', { since, limit: options.limit });
    return runSql(this.database, () => this.sql.activitySince(since, options.limit));
  }

  async countByState(): Promise<Partial<Record<PaperState, number>>> {
    const workers = this.offThread();
    if (workers) return workers.read('countByState', {});
    return runSql(this.database, () => this.sql.countByState());
  }

  async countCreatedSince(since: string): Promise<Record<string, number>> {
    const workers = this.offThread();
    if (workers) return workers.read('countCreatedSince', { since });
    return runSql(this.database, () => this.sql.countCreatedSince(since));
  }

  /** Resolves once the FTS5 merging that writes set off has finished (tests and benchmarks that measure after it). */
  async merged(): Promise<void> {
    await this.merger.idle();
  }

  async close(): Promise<void> {
    await this.workers?.close();
    await this.merger.close();
    await this.maintenance?.close();
    if (this.options.ownsDatabase && this.database.connection.open) this.database.close();
  }

  /**
   * The read workers when this store uses them (it has some and is large enough), for the other embedded stores
   * on the same database (the cost ledger's summaries).
   */
  readWorkersInUse(): ReadWorkers | undefined {
    return this.offThread();
  }

  /** The read workers, when there are any and the store is large enough to need them. */
  private offThread(): ReadWorkers | undefined {
    if (!this.workers) return undefined;
    // Closed: the workers refuse with a typed error (the connection would throw a plain TypeError).
    if (!this.database.connection.open) return this.workers;
    if (this.largeEnough) return this.workers;
    const papers = runSql(this.database, () => this.paperCount.get()?.n ?? 0);
    // Papers are never deleted: once large enough, always large enough, and no read asks again (the count is a
    // query on the main thread, which took up to 16 ms when the worker was busy; issue 14, item 3).
    this.largeEnough = papers >= this.workersFrom;
    return this.largeEnough ? this.workers : undefined;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  private read(paperId: string): Paper | undefined {
    const doc = this.sql.docOf(paperId);
    return doc === undefined ? undefined : paperFromDoc(doc);
  }

  private conflict(current: Paper): TransitionResult {
    const last: AuditRow | undefined = this.sql.lastAuditOf(current.id);
    return {
      ok: false,
      reason: 'conflict',
      paper: current,
      lastAudit: last ? auditFromRow(last) : undefined,
    };
  }

  /** Source key first, then arXiv id, then the title key (only for titles specific enough to trust). */
  private findMatch(scraped: ScrapedPaper): { paper: Paper; matchedOn: MatchedOn } | undefined {
    const found = (paperId: string | undefined, matchedOn: MatchedOn) => {
      const paper = paperId ? this.read(paperId) : undefined;
      return paper ? { paper, matchedOn } : undefined;
    };
    const primary = normaliseSourceKey(primarySourceKey(scraped));
    const otherKeys = dedupKeysOf(scraped).filter((key) => key !== primary && !key.startsWith('arxiv:'));
    const bySourceKey = [primary, ...otherKeys].map((key) => this.sql.paperIdForKey(key)).find(Boolean);
    const arxivId = scraped.arxivId ?? (scraped.source === 'arxiv' ? scraped.sourceId : undefined);
    const key = titleKey(scraped.title);
    return (
      found(bySourceKey, 'sourceKey') ??
      (arxivId ? found(this.sql.paperIdForArxiv(arxivId), 'arxivId') : undefined) ??
      (titleKeyUsableForDedup(key) ? found(this.sql.paperIdForTitleKey(key), 'titleKey') : undefined)
    );
  }
}
