/** The embedded defaults: everything under DATA_DIR, no cloud account needed. */
export { openSherpaDatabase, migrate, storageError, type SherpaDatabase } from './sqlite-database.js';
export { SqlitePaperStore, type SqlitePaperStoreOptions } from './sqlite-paper-store.js';
export { OFF_LOOP_INGEST_TRANSACTION_MS } from './sqlite-paper-ingest.js';
export { SqliteCoordinationStore } from './sqlite-coordination-store.js';
export { SqliteCostLedger } from './sqlite-cost-ledger.js';
export { SqliteWorkQueue, type SqliteWorkQueueOptions } from './sqlite-work-queue.js';
export { FileBlobStore } from './file-blob-store.js';
export { SqliteSearchStore } from './sqlite-search-store.js';
