import type { CoreDeps } from '../deps.js';
import type { Llm } from '../ports/llm.js';

/** What judging needs: the core deps it reads, plus the LLM (optional on `CoreDeps`, required here). */
export type JudgeDeps = Pick<CoreDeps, 'config' | 'logger' | 'clock' | 'papers'> & { llm: Llm };

export interface JudgeOptions {
  /**
   * Abstracts per LLM call: the tool prompt, tool schema and system prefix (about 1,100 tokens, below Haiku 4.5's
   * 4,096-token caching minimum, so paid in full every call) are shared by the batch. Default 32: about 34 prefix
   * tokens per paper, which with texts only for passing papers keeps a judged paper at the issue's $0.0005
   * (issue 14, item 5; 12 papers a call cost 90 prefix tokens each). A batch of 32 abstracts is about 11,000
   * input tokens, a small share of Haiku 4.5's context; a paper the reply leaves out is judged again alone.
   */
  batchSize?: number;
  /** Indexed papers shown per paper for the novelty score. Default 3 (each costs input tokens in every call). */
  similarCount?: number;
}

export const DEFAULT_BATCH_SIZE = 32;
export const DEFAULT_SIMILAR_COUNT = 3;
