import type { PaperState } from '../../domain/paper-state.js';
import type { Paper } from '../../domain/paper.js';
import { type WaitingPaper, WaitingPaperSchema } from '../../domain/waiting-paper.js';
import type { SqliteConnection } from './sqlite-database.js';
import { type ThreadCandidates, threadCandidatesOf } from '../../domain/thread-rank.js';
import {
  AFTER_JUDGING,
  type CountedPaper,
  finishedRuns,
  sourceActivity,
  type WindowActivity,
} from '../../domain/window-activity.js';
import {
  type AuditRow,
  columnsOf,
  type FtsColumns,
  type PaperColumns,
  paperFromDoc,
} from './sqlite-paper-rows.js';

/** Papers in some states, the last updated first. */
export const LIST_BY_STATE_SQL = `SELECT doc FROM papers WHERE state IN (SELECT value FROM json_each(@states))
  ORDER BY updated_at DESC LIMIT @limit`;

/**
 * One state, the last updated first: `papers_state_filters` walked in order, stopping at the limit. As an IN list
 * SQLite cannot know it holds one state, and read and sorted all of them: 34–93 ms for the digest's 2,000 of
 * 45,000 accepted papers on a 500,000-paper store, against 10 ms.
 */
export const LIST_ONE_STATE_SQL = `SELECT doc FROM papers WHERE state = @state ORDER BY updated_at DESC LIMIT @limit`;

/**
 * Several states updated since a time: a range of `papers_state_filters` (state, updated_at, …) for each state. One
 * statement for both, with `(@since IS NULL OR updated_at >= @since)`, kept SQLite off the range: it read the
 * index entry of every judged paper, 27 ms on a 500,000-paper store for the 462 a digest's window held.
 */
export const LIST_BY_STATE_SINCE_SQL = `SELECT doc FROM papers
  WHERE state IN (SELECT value FROM json_each(@states)) AND updated_at >= @since
  ORDER BY updated_at DESC LIMIT @limit`;

/**
 * Of the `@scan` papers in these states updated last, those with a thread: only the fields the digest lists leave
 * SQLite, the thread as its JSON text.
 */
export const WAITING_WITH_THREAD_SQL = `SELECT id, state, json_extract(doc, '$.title') AS title,
    json_extract(doc, '$.thread') AS thread
  FROM (SELECT id, state, doc, updated_at FROM papers WHERE state IN (SELECT value FROM json_each(@states))
        ORDER BY updated_at DESC LIMIT @scan)
  WHERE json_extract(doc, '$.thread') IS NOT NULL
  ORDER BY updated_at DESC`;

/** What ranking reads of a stored document (`thread-rank.ts`), and where the document is in the list. */
type StoredForRanking = Pick<Paper, 'id' | 'verdict' | 'thread'> & { index: number };

/** The prepared SQL of the paper store, one method per statement, so the store reads as domain logic. */
export class PaperStatements {
  private readonly statements;

  constructor(connection: SqliteConnection) {
    const prepare = connection.prepare.bind(connection);
    this.statements = {
      doc: prepare<[string], { doc: string }>('SELECT doc FROM papers WHERE id = ?'),
      seq: prepare<[string], { seq: number }>('SELECT seq FROM papers WHERE id = ?'),
      insert: prepare<PaperColumns>(
        `INSERT INTO papers (id, state, version, title_key, arxiv_id, venue, year, source, created_at, updated_at, doc)
         VALUES (@id, @state, @version, @title_key, @arxiv_id, @venue, @year, @source, @created_at, @updated_at, @doc)`,
      ),
      // The compare-and-set: the write happens only if the row is still in an expected state and version.
      compareAndSet: prepare<PaperColumns & { from: string; expectedVersion: number }>(
        `UPDATE papers SET state = @state, version = @version, title_key = @title_key, arxiv_id = @arxiv_id,
           venue = @venue, year = @year, updated_at = @updated_at, doc = @doc
         WHERE id = @id AND state IN (SELECT value FROM json_each(@from)) AND version = @expectedVersion`,
      ),
      ftsDelete: prepare<[number]>('DELETE FROM papers_fts WHERE rowid = ?'),
      ftsInsert: prepare<FtsColumns & { rowid: number }>(
        `INSERT INTO papers_fts (rowid, title, abstract, authors, venue)
         VALUES (@rowid, @title, @abstract, @authors, @venue)`,
      ),
      addKey: prepare<[string, string]>('INSERT OR IGNORE INTO source_keys (key, paper_id) VALUES (?, ?)'),
      // The key keeps its paper: the record matched it through this very key (`findMatch` looks it up first).
      addFingerprintedKey: prepare<[string, string, string]>(
        `INSERT INTO source_keys (key, paper_id, fingerprint) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint`,
      ),
      knownFingerprints: prepare<[string], { fingerprint: string }>(
        `SELECT fingerprint FROM source_keys
         WHERE fingerprint IN (SELECT value FROM json_each(?))`,
      ),
      keyOwner: prepare<[string], { paper_id: string }>('SELECT paper_id FROM source_keys WHERE key = ?'),
      byArxiv: prepare<[string], { id: string }>(
        'SELECT id FROM papers WHERE arxiv_id = ? ORDER BY seq LIMIT 1',
      ),
      byTitleKey: prepare<[string], { id: string }>(
        'SELECT id FROM papers WHERE title_key = ? ORDER BY seq LIMIT 1',
      ),
      appendAudit: prepare<AuditRow>(
        `INSERT INTO paper_audit (paper_id, at, actor, from_state, to_state, artifact_hash, note)
         VALUES (@paper_id, @at, @actor, @from_state, @to_state, @artifact_hash, @note)`,
      ),
      audit: prepare<[string], AuditRow>('SELECT * FROM paper_audit WHERE paper_id = ? ORDER BY seq'),
      lastAudit: prepare<[string], AuditRow>(
        'SELECT * FROM paper_audit WHERE paper_id = ? ORDER BY seq DESC LIMIT 1',
      ),
      listByState: prepare<{ states: string; limit: number }, { doc: string }>(LIST_BY_STATE_SQL),
      listOneState: prepare<{ state: string; limit: number }, { doc: string }>(LIST_ONE_STATE_SQL),
      waitingWithThread: prepare<
        { states: string; scan: number },
        { id: string; state: string; title: unknown; thread: string }
      >(WAITING_WITH_THREAD_SQL),
      listByStateSince: prepare<{ states: string; since: string; limit: number }, { doc: string }>(
        LIST_BY_STATE_SINCE_SQL,
      ),
      countByState: prepare<[], { state: PaperState; n: number }>(
        'SELECT state, COUNT(*) AS n FROM papers GROUP BY state',
      ),
      countCreatedSince: prepare<[string], { source: string; n: number }>(
        'SELECT source, COUNT(*) AS n FROM papers WHERE created_at >= ? GROUP BY source',
      ),
    };
  }

  docOf(paperId: string): string | undefined {
    return this.statements.doc.get(paperId)?.doc;
  }

  insertPaper(paper: Paper, fts: FtsColumns): void {
    const { lastInsertRowid } = this.statements.insert.run(columnsOf(paper));
    this.statements.ftsInsert.run({ ...fts, rowid: Number(lastInsertRowid) });
  }

  /** A merge rewrites the document and the searchable text. */
  replacePaper(paper: Paper, expectedVersion: number, fts: FtsColumns): void {
    if (!this.compareAndSet(paper, [paper.state], expectedVersion)) {
      throw new Error(`Paper ${paper.id} changed during a merge`);
    }
    const row = this.statements.seq.get(paper.id);
    if (!row) return;
    this.statements.ftsDelete.run(row.seq);
    this.statements.ftsInsert.run({ ...fts, rowid: row.seq });
  }

  compareAndSet(next: Paper, from: readonly PaperState[], expectedVersion: number): boolean {
    const result = this.statements.compareAndSet.run({
      ...columnsOf(next),
      from: JSON.stringify(from),
      expectedVersion,
    });
    return result.changes === 1;
  }

  addSourceKeys(paperId: string, keys: readonly string[]): void {
    for (const key of keys) this.statements.addKey.run(key, paperId);
  }

  /** The key a record was stored under, with the record's fingerprint (added if the key is new). */
  keepFingerprint(paperId: string, key: string, fingerprint: string): void {
    this.statements.addFingerprintedKey.run(key, paperId, fingerprint);
  }

  knownFingerprints(fingerprints: readonly string[]): Set<string> {
    const rows = this.statements.knownFingerprints.all(JSON.stringify(fingerprints));
    return new Set(rows.map((row) => row.fingerprint));
  }

  paperIdForKey(key: string): string | undefined {
    return this.statements.keyOwner.get(key)?.paper_id;
  }

  paperIdForArxiv(arxivId: string): string | undefined {
    return this.paperIdForKey(`arxiv:${arxivId}`) ?? this.statements.byArxiv.get(arxivId)?.id;
  }

  paperIdForTitleKey(key: string): string | undefined {
    return this.statements.byTitleKey.get(key)?.id;
  }

  appendAudit(row: AuditRow): void {
    this.statements.appendAudit.run(row);
  }

  auditOf(paperId: string): AuditRow[] {
    return this.statements.audit.all(paperId);
  }

  lastAuditOf(paperId: string): AuditRow | undefined {
    return this.statements.lastAudit.get(paperId);
  }

  listByState(states: readonly PaperState[], since: string | undefined, limit: number): string[] {
    const list = JSON.stringify(states);
    const [only] = states;
    const rows =
      since !== undefined
        ? this.statements.listByStateSince.all({ states: list, since, limit })
        : states.length === 1 && only
          ? this.statements.listOneState.all({ state: only, limit })
          : this.statements.listByState.all({ states: list, limit });
    return rows.map((row) => row.doc);
  }

  /** See `PaperStore.waitingWithThread`: each row validated as the digest's `WaitingPaper`. */
  waitingWithThread(states: readonly PaperState[], scan: number): WaitingPaper[] {
    return this.statements.waitingWithThread
      .all({ states: JSON.stringify(states), scan })
      .map((row) => WaitingPaperSchema.parse({ ...row, thread: JSON.parse(row.thread) as unknown }));
  }

  /**
   * The `scan` accepted papers updated last, ranked here (on the read worker when there is one). They are ranked on
   * their documents as stored, parsed but not validated (validating 2,000 papers with zod was 40 of the 50 ms this
   * took on a 500,000-paper store, for a digest that shows 8), and only those returned are validated.
   */
  threadCandidates(limit: number, scan: number): ThreadCandidates {
    const docs = this.listByState(['accepted'], undefined, scan);
    const stored = docs.map((doc, index) => ({ ...(JSON.parse(doc) as StoredForRanking), index }));
    const { papers, total } = threadCandidatesOf(stored, limit);
    return { papers: papers.map((paper) => paperFromDoc(docs[paper.index] as string)), total };
  }

  /**
   * The digest's window, counted here (on the read worker when there is one). The papers are counted on their
   * documents as stored, parsed but not validated: the counts read a paper's source, state and verdict, none of
   * which a schema default fills. Those with a run finished in the window, whose runs the digest lists, are
   * validated, and their runs come from the validated papers.
   */
  activitySince(since: string, limit: number): WindowActivity {
    const docs = this.listByState(AFTER_JUDGING, since, limit);
    const stored = docs.map((doc) => JSON.parse(doc) as CountedPaper & { runs?: { finishedAt?: string }[] });
    const withRunsInWindow = docs
      .filter((_, index) => stored[index]?.runs?.some((run) => run.finishedAt && run.finishedAt >= since))
      .map(paperFromDoc);
    return {
      sources: sourceActivity(this.countCreatedSince(since), stored, since),
      finishedRuns: finishedRuns(withRunsInWindow, since),
    };
  }

  countByState(): Partial<Record<PaperState, number>> {
    return Object.fromEntries(this.statements.countByState.all().map((row) => [row.state, row.n]));
  }

  countCreatedSince(since: string): Record<string, number> {
    return Object.fromEntries(this.statements.countCreatedSince.all(since).map((row) => [row.source, row.n]));
  }
}
