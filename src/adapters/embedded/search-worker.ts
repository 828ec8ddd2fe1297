/**
 * Worker thread that runs the store's searches on its own read-only connection (issue 14: better-sqlite3 is
 * synchronous, so a search on the main thread holds the event loop that must ack Slack). WAL lets it read
 * committed data while the main connection writes; it never writes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { SqlitePaperSearch } from './sqlite-paper-search.js';
import { type SearchReply, SearchRequestSchema } from './search-worker-protocol.js';

const { location, busyTimeoutMs } = z
  .object({ location: z.string().min(1), busyTimeoutMs: z.number().int().nonnegative() })
  .parse(workerData);

const connection = new Database(location, { readonly: true, fileMustExist: true });
connection.pragma(`busy_timeout = ${busyTimeoutMs}`);
// 16 MiB of page cache (the default is 2): the filter indexes and the hot FTS pages of a large store fit.
connection.pragma('cache_size = -16384');
const search = new SqlitePaperSearch(connection);

const port = parentPort;
if (!port) throw new Error('search-worker.ts runs only as a worker thread');

port.on('message', (message: unknown) => {
  const request = SearchRequestSchema.parse(message);
  let reply: SearchReply;
  try {
    const value =
      request.op === 'search'
        ? search.search(request.query)
        : search.similar(request.text, { limit: request.limit, excludeId: request.excludeId });
    reply = { id: request.id, ok: true, value };
  } catch (error) {
    const { message: text, code } = error as { message?: string; code?: string };
    reply = { id: request.id, ok: false, error: { message: text ?? String(error), code } };
  }
  port.postMessage(reply);
});
