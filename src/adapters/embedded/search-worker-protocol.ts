/** Messages between the paper store and its search worker threads (`search-worker.ts`). */
import { z } from 'zod';
import type { Paper } from '../../domain/paper.js';
import { PAPER_STATES } from '../../domain/paper-state.js';
import type { SearchHit } from '../../ports/paper-store.js';

export const SearchRequestSchema = z.discriminatedUnion('op', [
  z.object({
    id: z.number().int(),
    op: z.literal('search'),
    query: z.object({
      text: z.string(),
      limit: z.number().int().optional(),
      venue: z.string().optional(),
      year: z.number().int().optional(),
      state: z.enum(PAPER_STATES).optional(),
    }),
  }),
  z.object({
    id: z.number().int(),
    op: z.literal('similar'),
    text: z.string(),
    limit: z.number().int(),
    excludeId: z.string().optional(),
  }),
]);

export type SearchRequest = z.infer<typeof SearchRequestSchema>;

/** A failure carries the driver's code (`SQLITE_BUSY`, …) so the store can classify it as on the main thread. */
export type SearchReply =
  | { id: number; ok: true; value: SearchHit[] | Paper[] }
  | { id: number; ok: false; error: { message: string; code: string | undefined } };
