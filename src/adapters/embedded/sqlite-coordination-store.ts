import { type Clock, systemClock } from '../../ports/clock.js';
import type { CoordinationRecord, CoordinationStore } from '../../ports/coordination-store.js';
import { runSql, runSqlAsync, type SherpaDatabase } from './sqlite-database.js';

interface CoordinationRow {
  key: string;
  value: string;
  version: number;
  expires_at: number | null;
}

/**
 * Small key/value records with compare-and-set and leases, on SQLite. A record past its `expiresAt` reads as
 * absent. Versions keep counting across expiry and re-creation, so a stale `ifVersion` can never match a newer
 * record that happens to restart at 1.
 */
export class SqliteCoordinationStore implements CoordinationStore {
  private readonly clock: Clock;
  private readonly statements;

  constructor(
    private readonly database: SherpaDatabase,
    options: { clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    const prepare = database.connection.prepare.bind(database.connection);
    this.statements = {
      get: prepare<[string], CoordinationRow>('SELECT * FROM coordination WHERE key = ?'),
      upsert: prepare<CoordinationRow>(
        `INSERT INTO coordination (key, value, version, expires_at) VALUES (@key, @value, @version, @expires_at)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version,
           expires_at = excluded.expires_at`,
      ),
      delete: prepare<[string]>('DELETE FROM coordination WHERE key = ?'),
      list: prepare<{ prefix: string; now: number }, CoordinationRow>(
        `SELECT * FROM coordination
         WHERE substr(key, 1, length(@prefix)) = @prefix AND (expires_at IS NULL OR expires_at > @now)
         ORDER BY key`,
      ),
    };
  }

  async get<T>(key: string): Promise<CoordinationRecord<T> | undefined> {
    return runSql(this.database, () => {
      const row = this.live(key);
      return row ? recordOf<T>(row) : undefined;
    });
  }

  async put<T>(
    key: string,
    value: T,
    options: { ifVersion?: number; ifAbsent?: boolean; ttlSeconds?: number } = {},
  ): Promise<CoordinationRecord<T> | undefined> {
    const write = this.database.connection.transaction(() => {
      const stored = this.statements.get.get(key);
      const live = stored && this.isLive(stored) ? stored : undefined;
      if (options.ifAbsent && live) return undefined;
      if (options.ifVersion !== undefined && live?.version !== options.ifVersion) return undefined;
      return this.write<T>(key, value, (stored?.version ?? 0) + 1, options.ttlSeconds);
    });
    return runSqlAsync(this.database, () => write.immediate());
  }

  async delete(key: string, options: { ifVersion?: number } = {}): Promise<boolean> {
    const remove = this.database.connection.transaction(() => {
      const live = this.live(key);
      if (!live) return false;
      if (options.ifVersion !== undefined && live.version !== options.ifVersion) return false;
      return this.statements.delete.run(key).changes === 1;
    });
    return runSqlAsync(this.database, () => remove.immediate());
  }

  async list<T>(prefix: string): Promise<CoordinationRecord<T>[]> {
    return runSql(this.database, () =>
      this.statements.list.all({ prefix, now: this.nowMs() }).map((row) => recordOf<T>(row)),
    );
  }

  async acquireLease(
    key: string,
    holder: string,
    ttlSeconds: number,
  ): Promise<CoordinationRecord<{ holder: string }> | undefined> {
    const take = this.database.connection.transaction(() => {
      const stored = this.statements.get.get(key);
      const live = stored && this.isLive(stored) ? stored : undefined;
      if (live && holderOf(live) !== holder) return undefined;
      return this.write(key, { holder }, (stored?.version ?? 0) + 1, ttlSeconds);
    });
    return runSqlAsync(this.database, () => take.immediate());
  }

  async releaseLease(key: string, holder: string): Promise<boolean> {
    const release = this.database.connection.transaction(() => {
      const live = this.live(key);
      if (!live || holderOf(live) !== holder) return false;
      return this.statements.delete.run(key).changes === 1;
    });
    return runSqlAsync(this.database, () => release.immediate());
  }

  private write<T>(key: string, value: T, version: number, ttlSeconds?: number): CoordinationRecord<T> {
    const row: CoordinationRow = {
      key,
      value: JSON.stringify(value),
      version,
      expires_at: ttlSeconds === undefined ? null : this.nowMs() + Math.round(ttlSeconds * 1000),
    };
    this.statements.upsert.run(row);
    return recordOf<T>(row);
  }

  private live(key: string): CoordinationRow | undefined {
    const row = this.statements.get.get(key);
    return row && this.isLive(row) ? row : undefined;
  }

  private isLive(row: CoordinationRow): boolean {
    return row.expires_at === null || row.expires_at > this.nowMs();
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }
}

function recordOf<T>(row: CoordinationRow): CoordinationRecord<T> {
  const record: CoordinationRecord<T> = {
    key: row.key,
    value: JSON.parse(row.value) as T,
    version: row.version,
  };
  if (row.expires_at !== null) record.expiresAt = new Date(row.expires_at).toISOString();
  return record;
}

function holderOf(row: CoordinationRow): string | undefined {
  const value = JSON.parse(row.value) as { holder?: unknown } | null;
  return typeof value?.holder === 'string' ? value.holder : undefined;
}
