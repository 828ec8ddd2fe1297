import { mkdirSync, accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, PermanentError, TransientError } from '../../errors.js';
import { MIGRATIONS } from './migrations.js';
import { WriteTurns } from './write-turns.js';

export type SqliteConnection = Database.Database;

/** One open `sherpa.db`, shared by every embedded store in the process. */
export interface SherpaDatabase {
  readonly connection: SqliteConnection;
  /** Absolute path of the file, or `:memory:`; named in every storage error. */
  readonly location: string;
  /** Shared with a background writer on another thread (`write-turns.ts`); see `background`. */
  readonly turns: WriteTurns;
  /**
   * This connection writes in the background (the scrape thread): each store call first lets the bot's thread
   * finish its own. Otherwise store calls here count themselves in, so the background writer waits for them.
   */
  readonly background: boolean;
  close(): void;
}

export interface OpenDatabaseOptions {
  /** `DATA_DIR`; the database lives at `DATA_DIR/sherpa.db`. Use `:memory:` for tests. */
  dataDir: string;
  /** How long a writer waits for another process's lock before SQLITE_BUSY (ms). */
  busyTimeoutMs?: number;
  /** Open as a background writer behind the bot's thread, whose database's `turns.buffer` this is. */
  behind?: SharedArrayBuffer;
}

/**
 * Opens (creating if needed) the embedded database with WAL, a busy timeout and foreign keys, then runs any
 * pending migrations. A directory that cannot be created or written gives a ConfigError naming DATA_DIR.
 */
export function openSherpaDatabase(options: OpenDatabaseOptions): SherpaDatabase {
  const location = options.dataDir === ':memory:' ? ':memory:' : resolve(options.dataDir, 'sherpa.db');
  let connection: SqliteConnection;
  try {
    if (location !== ':memory:') {
      const dir = resolve(options.dataDir);
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
    }
    connection = new Database(location);
    connection.pragma('journal_mode = WAL');
    connection.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    connection.pragma('foreign_keys = ON');
    // WAL makes NORMAL durable against application crashes; only a power loss can drop the last commits.
    connection.pragma('synchronous = NORMAL');
  } catch (error) {
    throw new ConfigError([
      `DATA_DIR (${resolve(options.dataDir)}) cannot hold the database ${location}: ${reasonOf(error)}. ` +
        'Point DATA_DIR at a writable directory with free space.',
    ]);
  }
  try {
    migrate(connection);
  } catch (error) {
    connection.close();
    throw storageError(location, error);
  }
  return {
    connection,
    location,
    turns: new WriteTurns(options.behind),
    background: options.behind !== undefined,
    // Idempotent: shutdown closes the stores and then the database, in whichever order they were shared.
    close: () => {
      if (connection.open) connection.close();
    },
  };
}

/** Runs the migrations the file has not seen yet, each in its own transaction. */
export function migrate(connection: SqliteConnection): void {
  const current = connection.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new PermanentError(
      `The database schema is version ${current}, newer than this Sherpa (${MIGRATIONS.length})`,
      { hint: 'Upgrade Sherpa, or point DATA_DIR at a fresh directory' },
    );
  }
  MIGRATIONS.forEach((sql, index) => {
    if (index < current) return;
    connection.transaction(() => {
      connection.exec(sql);
      connection.pragma(`user_version = ${index + 1}`);
    })();
  });
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${code}: ${message}` : message;
}

const BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);
const DISK_CODES = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_CORRUPT'];

/**
 * A typed error for a failed SQLite call: lock contention is transient; a full disk, a read-only directory or a
 * corrupt file is permanent and names DATA_DIR so an operator knows where to look.
 */
export function storageError(location: string, error: unknown): Error {
  if (error instanceof PermanentError || error instanceof TransientError || error instanceof ConfigError) {
    return error;
  }
  const code = (error as { code?: string }).code ?? '';
  if (BUSY_CODES.has(code)) {
    return new TransientError(`The database ${location} is busy`, { cause: error, retryAfterMs: 200 });
  }
  if (DISK_CODES.some((prefix) => code.startsWith(prefix))) {
    return new PermanentError(`The database ${location} cannot be written (${reasonOf(error)})`, {
      cause: error,
      hint: 'Check that DATA_DIR is writable and its disk has free space',
      context: { location, code },
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Runs a synchronous SQLite call, turning driver errors into typed ones. */
export function runSql<T>(database: SherpaDatabase, work: () => T): T {
  try {
    if (!database.background) return database.turns.inForeground(work);
    // Inside a transaction it holds the write lock already (and is marked as in a call).
    return database.connection.inTransaction ? work() : database.turns.inBackground(work);
  } catch (error) {
    throw storageError(database.location, error);
  }
}

/**
 * `runSql` for a write on the bot's thread that its caller awaits: it waits for the scrape thread's transaction in
 * progress with the event loop free (`WriteTurns.inForegroundAsync`) instead of sleeping in SQLite's busy handler.
 * Without a background writer in one, it runs at once, as `runSql` does. Never inside an open transaction.
 */
export async function runSqlAsync<T>(database: SherpaDatabase, work: () => T): Promise<T> {
  if (database.background || database.connection.inTransaction) return runSql(database, work);
  try {
    return await database.turns.inForegroundAsync(work);
  } catch (error) {
    throw storageError(database.location, error);
  }
}
