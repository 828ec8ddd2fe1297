import { z } from 'zod';

const count = z.number().int().nonnegative().optional();

/**
 * One priced Bedrock call or instance session (`CostLedger` in `src/ports/cost-ledger.ts`). Every ledger adapter
 * checks entries with this before writing: a NaN price would poison every later budget sum.
 */
export const LedgerEntrySchema = z.object({
  at: z.iso.datetime({ offset: true }),
  paperId: z.string().optional(),
  runId: z.string().optional(),
  kind: z.enum(['llm', 'instance']),
  resource: z.string().min(1),
  purpose: z.string().min(1),
  inputTokens: count,
  outputTokens: count,
  cacheReadTokens: count,
  cacheWriteTokens: count,
  seconds: z.number().nonnegative().optional(),
  usd: z.number().nonnegative(),
  /**
   * An instance session's run, as its result.json measured it (issue 12, item 6): where and how fast it ran,
   * kept beside what it cost so spend can be read per instance type, market and device.
   */
  execution: z
    .object({
      instanceType: z.string().min(1).optional(),
      market: z.string().min(1).optional(),
      device: z.string().min(1).optional(),
      wallSeconds: z.number().nonnegative().optional(),
      throughput: z.object({ value: z.number().nonnegative(), unit: z.string().min(1) }).optional(),
    })
    .optional(),
});
