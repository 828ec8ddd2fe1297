import type { PaperPatch, TransitionEvent } from '../domain/apply-transition.js';
import type { WaitingPaper } from '../domain/waiting-paper.js';
import type { AuditEntry, Paper, ScrapedPaper } from '../domain/paper.js';
import type { PaperState } from '../domain/paper-state.js';
import type { ThreadCandidates } from '../domain/thread-rank.js';
import type { WindowActivity } from '../domain/window-activity.js';
import type { SendOptions, WorkQueue } from './work-queue.js';

/** One paper of a page for `ingestMany`. */
export interface IngestEntry {
  paper: ScrapedPaper;
  /** The blob holding the raw record it came from. */
  rawKey?: string;
  /**
   * The source record's fingerprint (`SourceRecord.fingerprint`), kept with the paper's source key once the
   * record is stored, so `knownFingerprints` can say it needs no second look.
   */
  fingerprint?: string;
}

/** Outcome of offering one scraped paper to the store. */
export type IngestOutcome =
  | { kind: 'created'; paper: Paper }
  /** Already known (by source id, arXiv id or title key); new identifiers and links were merged in. */
  | { kind: 'merged'; paper: Paper; matchedOn: 'sourceKey' | 'arxivId' | 'titleKey' }
  | { kind: 'unchanged'; paper: Paper; matchedOn: 'sourceKey' | 'arxivId' | 'titleKey' };

export type { PaperPatch } from '../domain/apply-transition.js';

export interface TransitionRequest extends TransitionEvent {
  paperId: string;
  actor: string;
}

export type TransitionResult =
  | { ok: true; paper: Paper; audit: AuditEntry }
  /** Someone else moved the paper first; `paper` is the current record and `lastAudit` says who and when. */
  | { ok: false; reason: 'conflict'; paper: Paper; lastAudit: AuditEntry | undefined }
  | { ok: false; reason: 'not_found' };

/** A transition that has just been applied, as the message it causes is built from it. */
export interface CommittedTransition {
  paper: Paper;
  audit: AuditEntry;
  /**
   * This is the paper's n-th entry into `audit.to` (1-based). Stable for the life of the paper, so a sweep that
   * re-sends the message later derives the same dedupe id from the audit log.
   */
  entryNumber: number;
}

export interface QueueMessage<T> {
  body: T;
  options: SendOptions;
}

/**
 * A state change and the queue message it causes, committed together: both or neither (issue 10, build item 4).
 * `message` is called once the change is known to apply, inside the same transaction.
 */
export interface PaperOutbox<T> {
  transition(
    request: TransitionRequest,
    message: (committed: CommittedTransition) => QueueMessage<T>,
  ): Promise<TransitionResult>;
  /** `ingestMany` with the message each outcome causes (none for `undefined`), committed with its paper. */
  ingestMany(
    items: readonly IngestEntry[],
    message: (outcome: IngestOutcome) => QueueMessage<T> | undefined,
  ): Promise<IngestOutcome[]>;
}

export type { ThreadCandidates } from '../domain/thread-rank.js';
export type { WindowActivity } from '../domain/window-activity.js';

export interface SearchFilters {
  venue?: string;
  year?: number;
  state?: PaperState;
}

export interface SearchQuery extends SearchFilters {
  text: string;
  limit?: number;
}

export interface SearchHit {
  paper: Paper;
  score: number;
}

/**
 * Durable paper state, audit log and full-text index. Implementations: SQLite + FTS5 (embedded) and
 * OpenSearch (AWS). Both pass `test/contracts/paper-store.contract.ts`.
 */
export interface PaperStore {
  /** Dedup on source key, then arXiv id, then title key. Never resets the state of a known paper. */
  ingest(paper: ScrapedPaper, rawKey?: string): Promise<IngestOutcome>;
  /**
   * Optional bulk form of `ingest` for a page of a scrape: the same dedup, in order (a later item sees the earlier
   * ones), written in a few commits instead of one per paper (SQLite: a transaction per slice of a few ms, so the
   * event loop is never held for long). Each paper commits whole; a page that fails part-way has stored a prefix
   * of its items, which a retry finds as duplicates. Stores without a bulk path leave it out; ingest then calls
   * `ingest` once per paper.
   */
  ingestMany?(items: readonly IngestEntry[]): Promise<IngestOutcome[]>;
  /**
   * Optional: which of these fingerprints `ingestMany` has kept. A record with a known fingerprint was stored
   * exactly so before, and merges only ever add what a record says (`mergeScraped`), so storing it again would
   * change nothing: a re-scrape skips it unread.
   */
  knownFingerprints?(fingerprints: readonly string[]): Promise<ReadonlySet<string>>;
  get(paperId: string): Promise<Paper | undefined>;
  /** Look up by any identifier a user might type: paper id, `arxiv:…`, `openreview:…`, `doi:…` source key. */
  findBySourceKey(sourceKey: string): Promise<Paper | undefined>;
  /**
   * Atomic compare-and-set on the state. Throws `IllegalTransitionError` if `from → to` is not in the state
   * machine; returns `{ ok: false }` if the paper is no longer in `from`.
   */
  transition(request: TransitionRequest): Promise<TransitionResult>;
  /**
   * Optional: an outbox onto `queue` when this store can write to it in the same transaction as a state change
   * (embedded: the queue tables live in the same SQLite file). Undefined for any other queue; callers then send
   * and transition separately, in the order whose crash window a sweep closes (`src/queue/`).
   */
  outboxFor?<T>(queue: WorkQueue<T>): PaperOutbox<T> | undefined;
  /** Patch non-state fields with an optional version check; returns undefined on a version conflict. */
  update(paperId: string, patch: PaperPatch, options?: { ifVersion?: number }): Promise<Paper | undefined>;
  audit(paperId: string): Promise<AuditEntry[]>;
  search(query: SearchQuery): Promise<SearchHit[]>;
  /** Papers most similar to the given text (for the judge's novelty check), excluding `excludeId`. */
  similar(text: string, options: { limit: number; excludeId?: string }): Promise<Paper[]>;
  listByState(
    states: readonly PaperState[],
    options?: { limit?: number; updatedSince?: string },
  ): Promise<Paper[]>;
  /**
   * The digest's candidates: of the `scan` accepted papers updated last, those without a thread, ranked
   * (`rankForThreads`), the best `limit` of them and how many there are. Ranked where the papers are, so the
   * caller receives a handful of papers instead of thousands (issue 14, item 3: taking 2,000 papers off the read
   * worker's channel and ranking them held the event loop that acks Slack).
   */
  threadCandidates(options: { limit: number; scan: number }): Promise<ThreadCandidates>;
  /**
   * The digest's window: papers created since `since` per source, verdicts given since then (of at most `limit`
   * papers updated since then), and runs finished since then (`windowActivityOf`). Computed where the papers are,
   * for the same reason as `threadCandidates`.
   */
  activitySince(options: { since: string; limit: number }): Promise<WindowActivity>;
  /**
   * Of the `scan` papers at a human gate (`AWAITING_HUMAN`) updated last, those with a thread, the last updated
   * first, with only the fields the digest lists: 500 whole papers taken off the read worker's channel were 1.4 MB
   * to deserialise on the event loop that acks Slack, for the 73 the digest shows (issue 14, item 3).
   */
  waitingWithThread(options: { scan: number }): Promise<WaitingPaper[]>;
  countByState(): Promise<Partial<Record<PaperState, number>>>;
  /** Counts of papers created since a time, grouped by source (for digests). */
  countCreatedSince(since: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}
