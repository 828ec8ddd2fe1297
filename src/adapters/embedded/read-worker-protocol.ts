/** Messages between the paper store and its read worker threads (`read-worker.ts`). */
import { z } from 'zod';
import type { Paper } from '../../domain/paper.js';
import type { WaitingPaper } from '../../domain/waiting-paper.js';
import { PAPER_STATES, type PaperState } from '../../domain/paper-state.js';
import type { LedgerSummary } from '../../ports/cost-ledger.js';
import type { SearchHit, ThreadCandidates, WindowActivity } from '../../ports/paper-store.js';

const id = z.number().int();
const state = z.enum(PAPER_STATES);

export const ReadRequestSchema = z.discriminatedUnion('op', [
  z.object({
    id,
    op: z.literal('search'),
    query: z.object({
      text: z.string(),
      limit: z.number().int().optional(),
      venue: z.string().optional(),
      year: z.number().int().optional(),
      state: state.optional(),
    }),
  }),
  z.object({
    id,
    op: z.literal('similar'),
    text: z.string(),
    limit: z.number().int(),
    excludeId: z.string().optional(),
  }),
  z.object({
    id,
    op: z.literal('listByState'),
    states: z.array(state),
    limit: z.number().int(),
    updatedSince: z.string().optional(),
  }),
  z.object({ id, op: z.literal('threadCandidates'), limit: z.number().int(), scan: z.number().int() }),
  z.object({ id, op: z.literal('waitingWithThread'), scan: z.number().int() }),
  z.object({ id, op: z.literal('activitySince'), since: z.string(), limit: z.number().int() }),
  z.object({
    id,
    op: z.literal('summarizeLedger'),
    query: z.object({ since: z.string(), until: z.string().optional(), paperId: z.string().optional() }),
  }),
  z.object({ id, op: z.literal('countByState') }),
  z.object({ id, op: z.literal('countCreatedSince'), since: z.string() }),
  /** The next part of a long list whose reply said `more` (see `REPLY_PART_ITEMS`). */
  z.object({ id, op: z.literal('more') }),
]);

/**
 * A list longer than this comes back in parts of this many items, each sent when the main thread asks for it
 * (`more`): taking a reply off the channel deserialises it in one go on the main thread, 2,000 papers in about
 * 50 ms on a busy 2-core machine, and acks wait meanwhile; a part of 100 takes a few ms (issue 14, item 3).
 */
export const REPLY_PART_ITEMS = 100;

export type ReadRequest = z.infer<typeof ReadRequestSchema>;

/** What each operation answers. */
export interface ReadResults {
  search: SearchHit[];
  similar: Paper[];
  listByState: Paper[];
  threadCandidates: ThreadCandidates;
  waitingWithThread: WaitingPaper[];
  activitySince: WindowActivity;
  summarizeLedger: LedgerSummary;
  countByState: Partial<Record<PaperState, number>>;
  countCreatedSince: Record<string, number>;
  more: unknown[];
}

/** A failure carries the driver's code (`SQLITE_BUSY`, …) so the store can classify it as on the main thread. */
export type ReadReply =
  | {
      id: number;
      ok: true;
      value: ReadResults[keyof ReadResults];
      /** A part of a long list: more parts follow, each after a `more` request. */
      more?: boolean;
    }
  | { id: number; ok: false; error: { message: string; code: string | undefined } };
