/** What a search will cost before it runs: per generation and in all, against its cap and the day's budget. */
export interface GenerationEstimate {
  /** Full-budget runs: the N children (each with its smoke gate inside) and the parent's re-run. */
  runs: number;
  instanceMinutes: number;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  usd: number;
}

export interface PlanEstimate {
  generations: number;
  perGeneration: GenerationEstimate;
  /** The original's repeats before generation 1 (the noise at the start). */
  startRuns: number;
  runs: number;
  instanceMinutes: number;
  llmCalls: number;
  tokens: number;
  usd: number;
  maxUsd: number;
  withinMaxUsd: boolean;
  spentTodayUsd: number;
  dailyUsd: number;
  /** Today's spend plus the whole search fits today's budget (an overnight search may span two days). */
  withinDaily: boolean;
}
