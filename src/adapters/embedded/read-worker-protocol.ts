/** Messages between the paper store and its read worker threads (`read-worker.ts`). */
import { z } from 'zod';
import type { Paper } from '../../domain/paper.js';
import { PAPER_STATES, type PaperState } from '../../domain/paper-state.js';
import type { SearchHit } from '../../ports/paper-store.js';

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
  z.object({ id, op: z.literal('countByState') }),
  z.object({ id, op: z.literal('countCreatedSince'), since: z.string() }),
]);

export type ReadRequest = z.infer<typeof ReadRequestSchema>;

/** What each operation answers. */
export interface ReadResults {
  search: SearchHit[];
  similar: Paper[];
  listByState: Paper[];
  countByState: Partial<Record<PaperState, number>>;
  countCreatedSince: Record<string, number>;
}

/** A failure carries the driver's code (`SQLITE_BUSY`, …) so the store can classify it as on the main thread. */
export type ReadReply =
  | { id: number; ok: true; value: ReadResults[keyof ReadResults] }
  | { id: number; ok: false; error: { message: string; code: string | undefined } };
