import { normaliseSourceKey } from '../../domain/paper-merge.js';
import { applyTransition, assertTransitionEvent, fromStatesOf } from '../../domain/apply-transition.js';
import { AWAITING_HUMAN, type PaperState } from '../../domain/paper-state.js';
import type { WaitingPaper } from '../../domain/waiting-paper.js';
import {
  type AuditEntry,
  type Paper,
  PaperSchema,
  type ScrapedPaper,
  ScrapedPaperSchema,
} from '../../domain/paper.js';
import { NotFoundError } from '../../errors.js';
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
import { runSql, runSqlAsync, type SherpaDatabase } from './sqlite-database.js';
import { SqlitePaperSearch } from './sqlite-paper-search.js';
import { ReadWorkers } from './read-workers.js';
import { StoreMaintenance } from './store-maintenance.js';
import { FtsMerger } from './fts-merger.js';
import { SqlitePaperIngest } from './sqlite-paper-ingest.js';
import { PaperStatements } from './sqlite-paper-statements.js';
import { type AuditRow, auditFromRow, auditRowOf, paperFromDoc } from './sqlite-paper-rows.js';
import { SqliteWorkQueue } from './sqlite-work-queue.js';

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
  /**
   * How long one ingest write transaction may run, in ms (default `SLICE_MS`, a slice of the event loop). Each
   * transaction leaves FTS5 a new index segment to merge, so short ones cost throughput: a thread that acks
   * nothing (the scrape thread) writes in longer ones (`SqlitePaperIngest.inSlices`).
   */
  ingestTransactionMs?: number;
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
  private readonly ingestion: SqlitePaperIngest;
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
    this.merger = new FtsMerger(database);
    this.ingestion = new SqlitePaperIngest(
      database,
      this.sql,
      (paperId) => this.read(paperId),
      options.ingestTransactionMs,
    );
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
      this.ingestion.one(scraped, now, rawKey),
    );
    const outcome = await runSqlAsync(this.database, () => ingestOnce.immediate());
    this.wrotePapers();
    return outcome;
  }

  /**
   * A page of a scrape in a few transactions instead of one per paper (issue 3's ingest benchmark), each ending
   * once it has held the event loop for a slice (`SqlitePaperIngest.inSlices`).
   */
  async ingestMany(items: readonly IngestEntry[]): Promise<IngestOutcome[]> {
    return this.ingestion.inSlices(
      items,
      this.now(),
      () => {},
      () => this.wrotePapers(),
    );
  }

  async knownFingerprints(fingerprints: readonly string[]): Promise<ReadonlySet<string>> {
    if (fingerprints.length === 0) return new Set();
    return runSql(this.database, () => this.sql.knownFingerprints(fingerprints));
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
        const outcomes = await this.ingestion.inSlices(
          items,
          this.now(),
          (outcome) => {
            const caused = message(outcome);
            if (caused) sent = !local.insertWithinTransaction(caused.body, caused.options).duplicate || sent;
          },
          () => this.wrotePapers(),
        );
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
    return runSqlAsync(this.database, () => attempt.immediate());
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
    return runSqlAsync(this.database, () => attempt.immediate());
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

  async waitingWithThread(options: { scan: number }): Promise<WaitingPaper[]> {
    const workers = this.offThread();
    if (workers) return workers.read('waitingWithThread', options);
    return runSql(this.database, () => this.sql.waitingWithThread(AWAITING_HUMAN, options.scan));
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
}
