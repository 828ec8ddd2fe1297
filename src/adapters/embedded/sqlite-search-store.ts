import {
  applySearchMove,
  applySearchPatch,
  type SearchMove,
  type SearchPatch,
} from '../../domain/evolve-search-move.js';
import { EvolveSearchSchema, type EvolveSearch } from '../../domain/evolve-search.js';
import { SEARCH_ENDS } from '../../domain/evolve-search-state.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import type { SearchMoveResult, SearchStore } from '../../ports/search-store.js';
import { runSql, runSqlAsync, type SherpaDatabase } from './sqlite-database.js';

interface SearchRow {
  id: string;
  paper_id: string;
  state: string;
  version: number;
  doc: string;
}

const LIVE = `state NOT IN (${SEARCH_ENDS.map((state) => `'${state}'`).join(', ')})`;

/**
 * Evolve searches in `DATA_DIR/sherpa.db` (migration 4): the record as JSON beside the columns the queries
 * and the compare-and-set need. A partial unique index keeps one live search per paper.
 */
export class SqliteSearchStore implements SearchStore {
  private readonly clock: Clock;
  private readonly statements;

  constructor(
    private readonly database: SherpaDatabase,
    options: { clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    const prepare = database.connection.prepare.bind(database.connection);
    this.statements = {
      insert: prepare<SearchRow & { created_at: string; updated_at: string }>(
        `INSERT INTO evolve_searches (id, paper_id, state, version, doc, created_at, updated_at)
         VALUES (@id, @paper_id, @state, @version, @doc, @created_at, @updated_at)`,
      ),
      get: prepare<[string], SearchRow>('SELECT * FROM evolve_searches WHERE id = ?'),
      live: prepare<[string], SearchRow>(`SELECT * FROM evolve_searches WHERE paper_id = ? AND ${LIVE}`),
      listLive: prepare<[], SearchRow>(`SELECT * FROM evolve_searches WHERE ${LIVE} ORDER BY created_at`),
      listAll: prepare<[], SearchRow>('SELECT * FROM evolve_searches ORDER BY created_at, id'),
      write: prepare<SearchRow & { updated_at: string; if_version: number }>(
        `UPDATE evolve_searches SET state = @state, version = @version, doc = @doc, updated_at = @updated_at
         WHERE id = @id AND version = @if_version`,
      ),
    };
  }

  private parse(row: SearchRow | undefined): EvolveSearch | undefined {
    return row ? EvolveSearchSchema.parse(JSON.parse(row.doc)) : undefined;
  }

  async create(search: EvolveSearch): Promise<{ created: boolean; search: EvolveSearch }> {
    const parsed = EvolveSearchSchema.parse(search);
    const create = this.database.connection.transaction(() => {
      const live = this.parse(this.statements.live.get(parsed.paperId));
      if (live) return { created: false, search: live };
      this.statements.insert.run({
        id: parsed.id,
        paper_id: parsed.paperId,
        state: parsed.state,
        version: parsed.version,
        doc: JSON.stringify(parsed),
        created_at: parsed.createdAt,
        updated_at: parsed.updatedAt,
      });
      return { created: true, search: parsed };
    });
    return runSqlAsync(this.database, () => create.immediate());
  }

  async get(searchId: string): Promise<EvolveSearch | undefined> {
    return runSql(this.database, () => this.parse(this.statements.get.get(searchId)));
  }

  async liveFor(paperId: string): Promise<EvolveSearch | undefined> {
    return runSql(this.database, () => this.parse(this.statements.live.get(paperId)));
  }

  async listLive(): Promise<EvolveSearch[]> {
    return runSql(this.database, () =>
      this.statements.listLive.all().map((row) => this.parse(row) as EvolveSearch),
    );
  }

  /** Every search, ended ones too, oldest first: what `npm run migrate:aws` moves (not part of the port). */
  async listAll(): Promise<EvolveSearch[]> {
    return runSql(this.database, () =>
      this.statements.listAll.all().map((row) => this.parse(row) as EvolveSearch),
    );
  }

  /**
   * Read, apply, write on the version read: all in one IMMEDIATE transaction, so two writers never both win and
   * a scrape's commit between the read and the write cannot fail it; it waits its turn at the write lock with the
   * event loop free (`runSqlAsync`).
   */
  private writeNext(
    searchId: string,
    next: (current: EvolveSearch) => { ok: true; search: EvolveSearch } | { ok: false },
  ): Promise<SearchMoveResult> {
    const write = this.database.connection.transaction((): SearchMoveResult => {
      const current = this.parse(this.statements.get.get(searchId));
      if (!current) return { ok: false, reason: 'not_found' };
      const applied = next(current);
      if (!applied.ok) return { ok: false, reason: 'conflict', search: current };
      const written = this.statements.write.run({
        id: searchId,
        paper_id: current.paperId,
        state: applied.search.state,
        version: applied.search.version,
        doc: JSON.stringify(applied.search),
        updated_at: applied.search.updatedAt,
        if_version: current.version,
      });
      if (written.changes !== 1) return { ok: false, reason: 'conflict', search: current };
      return { ok: true, search: applied.search };
    });
    return runSqlAsync(this.database, () => write.immediate());
  }

  async move(searchId: string, move: SearchMove): Promise<SearchMoveResult> {
    const at = this.clock.now().toISOString();
    return this.writeNext(searchId, (current) => applySearchMove(current, move, at));
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
}
