import type { Config } from '../config/load-config.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../ports/clock.js';
import type { Sleep } from '../ports/sleep.js';
import { openSherpaDatabase, type SherpaDatabase } from '../adapters/embedded/index.js';

/** What every storage factory gets: the config, time, and the embedded database opened on first use. */
export interface StorageContext {
  config: Config;
  logger: Logger;
  clock: Clock;
  sleep: Sleep;
  /** Dead-letter after this many deliveries (every queue). */
  maxQueueAttempts: number;
  /** The scrape thread opens `sherpa.db` as a background writer behind the bot's thread (`write-turns.ts`). */
  writesBehind?: SharedArrayBuffer;
  /** `DATA_DIR/sherpa.db`, opened once, only if some port is embedded. */
  database(): SherpaDatabase;
  /** Register cleanup for `close()`; run in reverse order. */
  onClose(close: () => Promise<void> | void): void;
}

export function createStorageContext(
  base: Omit<StorageContext, 'database' | 'onClose'>,
): StorageContext & { closeAll(): Promise<void> } {
  let database: SherpaDatabase | undefined;
  const closers: Array<() => Promise<void> | void> = [];
  return {
    ...base,
    database() {
      if (!database) {
        database = openSherpaDatabase({
          dataDir: base.config.dataDir,
          ...(base.writesBehind ? { behind: base.writesBehind } : {}),
        });
        base.logger.info({ database: database.location }, 'embedded database opened');
        const opened = database;
        closers.unshift(() => opened.close());
      }
      return database;
    },
    onClose(close) {
      closers.push(close);
    },
    async closeAll() {
      for (const close of closers.splice(0).reverse()) {
        try {
          await close();
        } catch (error) {
          base.logger.warn({ err: error }, 'a storage adapter failed to close');
        }
      }
    },
  };
}
