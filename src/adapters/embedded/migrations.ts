/**
 * Versioned schema for `DATA_DIR/sherpa.db`. Each entry runs once, in order, inside a transaction;
 * `PRAGMA user_version` records how many have run. Never edit a shipped migration: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: papers, their dedup keys, the audit log and the full-text index.
  `
  CREATE TABLE papers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    title_key TEXT NOT NULL,
    arxiv_id TEXT,
    venue TEXT NOT NULL COLLATE NOCASE,
    year INTEGER NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX papers_state_updated ON papers(state, updated_at);
  CREATE INDEX papers_title_key ON papers(title_key);
  CREATE INDEX papers_arxiv_id ON papers(arxiv_id) WHERE arxiv_id IS NOT NULL;
  CREATE INDEX papers_venue_year ON papers(venue, year);
  CREATE INDEX papers_created_source ON papers(created_at, source);

  CREATE TABLE source_keys (
    key TEXT PRIMARY KEY,
    paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE
  );
  CREATE INDEX source_keys_paper ON source_keys(paper_id);

  CREATE TABLE paper_audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    artifact_hash TEXT,
    note TEXT
  );
  CREATE INDEX paper_audit_paper ON paper_audit(paper_id, seq);

  -- rowid = papers.seq. Porter stemming so "training" finds "trained"; diacritics folded.
  CREATE VIRTUAL TABLE papers_fts USING fts5(
    title, abstract, authors, venue,
    tokenize = 'porter unicode61 remove_diacritics 2'
  );
  `,
  // 2: coordination records, the cost ledger and the work queues.
  `
  CREATE TABLE coordination (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    version INTEGER NOT NULL,
    expires_at INTEGER
  );

  CREATE TABLE cost_ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    paper_id TEXT,
    run_id TEXT,
    kind TEXT NOT NULL,
    resource TEXT NOT NULL,
    purpose TEXT NOT NULL,
    input_tokens INTEGER,
    output_tokens INTEGER,
    cache_read_tokens INTEGER,
    cache_write_tokens INTEGER,
    seconds REAL,
    usd REAL NOT NULL
  );
  CREATE INDEX cost_ledger_at ON cost_ledger(at);
  CREATE INDEX cost_ledger_paper_at ON cost_ledger(paper_id, at);

  CREATE TABLE queue_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    dedupe_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    body TEXT NOT NULL,
    -- ready (waiting or in flight), dead (dead-lettered), done (acked; kept so dedupe ids stay unique)
    status TEXT NOT NULL,
    visible_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    receipt TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (queue, dedupe_id)
  );
  CREATE INDEX queue_messages_ready ON queue_messages(queue, status, visible_at, seq);
  CREATE INDEX queue_messages_group ON queue_messages(queue, group_id, status, seq);
  `,
  // 3: indexes that serve every /paper search filter (issue 14). Each starts with one filter column and
  // holds the others, so a search checks every filter from the index and reads a paper's row only for a hit:
  // by state, venue or year, newest update first (a filter-only search stops after the first page); and by
  // seq, for checking the filters of a full-text match. papers_state_filters extends papers_state_updated;
  // papers_venue_year served only search.
  `
  CREATE INDEX papers_state_filters ON papers(state, updated_at, venue, year);
  CREATE INDEX papers_venue_filters ON papers(venue, updated_at, year, state);
  CREATE INDEX papers_year_filters ON papers(year, updated_at, venue, state);
  CREATE INDEX papers_seq_filters ON papers(seq, state, venue, year);
  DROP INDEX papers_state_updated;
  DROP INDEX papers_venue_year;
  `,
  // 4: evolve searches (issue 13): the record as JSON, one live search per paper.
  `
  CREATE TABLE evolve_searches (
    id TEXT PRIMARY KEY,
    paper_id TEXT NOT NULL,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX evolve_searches_live_paper ON evolve_searches(paper_id)
    WHERE state NOT IN ('finished', 'stopped', 'capped');
  CREATE INDEX evolve_searches_state ON evolve_searches(state, created_at);
  `,
  // 5: a run's execution info on its instance ledger entry (issue 12, item 6); NULL for older rows and llm calls.
  `
  ALTER TABLE cost_ledger ADD COLUMN instance_type TEXT;
  ALTER TABLE cost_ledger ADD COLUMN market TEXT;
  ALTER TABLE cost_ledger ADD COLUMN device TEXT;
  ALTER TABLE cost_ledger ADD COLUMN wall_seconds REAL;
  ALTER TABLE cost_ledger ADD COLUMN throughput_value REAL;
  ALTER TABLE cost_ledger ADD COLUMN throughput_unit TEXT;
  `,
  // 6: the fingerprint of the last source record stored under a paper's own source key (issue 14), so a
  // re-scrape finds the records it holds exactly so with one indexed lookup a page and never reads them.
  `
  ALTER TABLE source_keys ADD COLUMN fingerprint TEXT;
  CREATE INDEX source_keys_fingerprint ON source_keys(fingerprint) WHERE fingerprint IS NOT NULL;
  `,
  // 7: FTS5 merges no longer run inside a write's commit (issue 14, item 3): on a large store one could hold the
  // event loop for a second. The store merges in short steps between writes instead (fts-merger.ts); a level
  // that still reaches 64 segments (a writer without the merger) is merged in a commit, as before.
  `
  INSERT INTO papers_fts(papers_fts, rank) VALUES('automerge', 0);
  INSERT INTO papers_fts(papers_fts, rank) VALUES('crisismerge', 64);
  `,
  // 8: FTS5 merges a level once it holds 16 segments, not 4 (issue 14, item 3). At 4, the small segments of a
  // 5,000-paper scrape into a 500,000-paper store climbed into the levels that hold the big ones, and merging
  // those cost 7.5 s of the event loop's CPU, in steps of up to 90 ms (a step ends only at a term's end, and a
  // common term's list runs to megabytes). At 16, 0.1 s. Searches read up to 15 segments a level; at 500,000
  // papers that stays far inside the search targets (the benchmark prints both).
  `
  INSERT INTO papers_fts(papers_fts, rank) VALUES('usermerge', 16);
  `,
];
