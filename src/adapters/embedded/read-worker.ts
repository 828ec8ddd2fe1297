/**
 * Worker thread that runs the store's heavy reads (searches, and the lists and counts behind the digest and App
 * Home) on its own read-only connection (issue 14: better-sqlite3 is synchronous, so such a read on the main
 * thread holds the event loop that must ack Slack). WAL lets it read what the main connection commits; it never
 * writes. Papers are parsed here, so the main thread only receives them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { z } from 'zod';
import {
  type ReadReply,
  type ReadRequest,
  ReadRequestSchema,
  REPLY_PART_ITEMS,
} from './read-worker-protocol.js';
import { SqlitePaperSearch } from './sqlite-paper-search.js';
import { paperFromDoc } from './sqlite-paper-rows.js';
import { PaperStatements } from './sqlite-paper-statements.js';
import { LedgerSummaryStatement } from './sqlite-ledger-summary.js';
import { lowerThreadPriority } from '../../worker-threads.js';
import { AWAITING_HUMAN } from '../../domain/paper-state.js';

const { location, busyTimeoutMs } = z
  .object({ location: z.string().min(1), busyTimeoutMs: z.number().int().nonnegative() })
  .parse(workerData);

lowerThreadPriority();

const connection = new Database(location, { readonly: true, fileMustExist: true });
connection.pragma(`busy_timeout = ${busyTimeoutMs}`);
// 16 MiB of page cache (the default is 2): the filter indexes and the hot FTS pages of a large store fit.
connection.pragma('cache_size = -16384');
const search = new SqlitePaperSearch(connection);
// Only its read statements run (a read-only connection still prepares the others).
const sql = new PaperStatements(connection);
const ledger = new LedgerSummaryStatement(connection);

/** What is left of long lists, by request id, until the main thread has asked for every part. */
const unsent = new Map<number, unknown[]>();

function answer(request: ReadRequest): ReadReply & { ok: true } {
  switch (request.op) {
    case 'more': {
      const rest = unsent.get(request.id) ?? [];
      const part = rest.splice(0, REPLY_PART_ITEMS);
      if (rest.length === 0) unsent.delete(request.id);
      return { id: request.id, ok: true, value: part, more: rest.length > 0 };
    }
    case 'search':
      return { id: request.id, ok: true, value: search.search(request.query) };
    case 'similar':
      return {
        id: request.id,
        ok: true,
        value: search.similar(request.text, { limit: request.limit, excludeId: request.excludeId }),
      };
    case 'listByState':
      return {
        id: request.id,
        ok: true,
        value: sql.listByState(request.states, request.updatedSince, request.limit).map(paperFromDoc),
      };
    case 'waitingWithThread':
      return { id: request.id, ok: true, value: sql.waitingWithThread(AWAITING_HUMAN, request.scan) };
    case 'threadCandidates':
      return { id: request.id, ok: true, value: sql.threadCandidates(request.limit, request.scan) };
    case 'activitySince':
      return { id: request.id, ok: true, value: sql.activitySince(request.since, request.limit) };
    case 'summarizeLedger':
      return { id: request.id, ok: true, value: ledger.summarize(request.query) };
    case 'countByState':
      return { id: request.id, ok: true, value: sql.countByState() };
    case 'countCreatedSince':
      return { id: request.id, ok: true, value: sql.countCreatedSince(request.since) };
  }
}

/** A long list goes out in parts: the first now, the rest kept for `more` requests. */
function firstPart(reply: ReadReply & { ok: true }): ReadReply {
  const { value } = reply;
  if (reply.more !== undefined || !Array.isArray(value) || value.length <= REPLY_PART_ITEMS) return reply;
  unsent.set(reply.id, value.slice(REPLY_PART_ITEMS));
  return { ...reply, value: value.slice(0, REPLY_PART_ITEMS), more: true };
}

const port = parentPort;
if (!port) throw new Error('read-worker.ts runs only as a worker thread');

port.on('message', (message: unknown) => {
  const request = ReadRequestSchema.parse(message);
  let reply: ReadReply;
  try {
    reply = firstPart(answer(request));
  } catch (error) {
    const { message: text, code } = error as { message?: string; code?: string };
    reply = { id: request.id, ok: false, error: { message: text ?? String(error), code } };
  }
  port.postMessage(reply);
});
