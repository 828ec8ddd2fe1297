import type { CoreDeps } from '../deps.js';
import type { Llm } from '../ports/llm.js';

/** What judging needs: the core deps it reads, plus the LLM (optional on `CoreDeps`, required here). */
export type JudgeDeps = Pick<CoreDeps, 'config' | 'logger' | 'clock' | 'papers'> & { llm: Llm };

export interface JudgeOptions {
  /**
   * Abstracts per LLM call: the system prefix and tool schema (about 1,000 tokens, below Haiku 4.5's caching
   * minimum, so paid in full every call) are shared by the batch. Default 12.
   */
  batchSize?: number;
  /** Indexed papers shown per paper for the novelty score. Default 3 (each costs input tokens in every call). */
  similarCount?: number;
}

export const DEFAULT_BATCH_SIZE = 12;
export const DEFAULT_SIMILAR_COUNT = 3;
