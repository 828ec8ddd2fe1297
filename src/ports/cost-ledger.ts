/**
 * Every Bedrock call and every instance session, priced and recorded against its paper.
 * Embedded: SQLite. AWS: OpenSearch. Both pass `test/contracts/cost-ledger.contract.ts`.
 */
export interface LedgerEntry {
  at: string;
  paperId?: string;
  runId?: string;
  kind: 'llm' | 'instance';
  /** Model id for `llm`, instance id for `instance`. */
  resource: string;
  /** What the call was for: `judge`, `codegen.plan`, `codegen.code`, `codegen.review`, `fix`, `run`. */
  purpose: string;
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  seconds?: number;
  usd: number;
  /** `instance` entries of a run: where and how fast it ran, from its result.json (issue 12, item 6). */
  execution?: LedgerExecution;
}

export interface LedgerExecution {
  instanceType?: string;
  /** `spot` or `on-demand`. */
  market?: string;
  /** The accelerator, e.g. `NVIDIA H100 80GB HBM3 ×8` or `trainium`. */
  device?: string;
  wallSeconds?: number;
  throughput?: { value: number; unit: string };
}

export interface LedgerSummary {
  usd: number;
  inputTokens: number;
  outputTokens: number;
  instanceSeconds: number;
  byResource: Record<string, { usd: number; inputTokens: number; outputTokens: number; seconds: number }>;
}

export interface CostLedger {
  record(entry: LedgerEntry): Promise<void>;
  /** Sum of entries with `since <= at < until` (ISO), optionally for one paper. */
  summarize(options: { since: string; until?: string; paperId?: string }): Promise<LedgerSummary>;
  entries(options: { paperId?: string; since?: string; limit?: number }): Promise<LedgerEntry[]>;
}
