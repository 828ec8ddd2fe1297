export { judgePapers } from './judge-papers.js';
export { DEFAULT_BATCH_SIZE, type JudgeDeps, type JudgeOptions } from './judge-deps.js';
export type { JudgeOutcome, JudgeOutcomeKind } from './judge-outcome.js';
export { compileProfile, prefilterScore, type CompiledProfile, type PrefilterScore } from './prefilter.js';
export { JUDGEABLE_STATES, JUDGE_ACTOR } from './settle-paper.js';
export { MIN_ABSTRACT_FOR_PREFILTER, screenPapers, type Screened } from './screen-papers.js';
export { retryJudge, type RetryJudgeResult } from './retry-judge.js';
export { JudgeBatcher, type JudgeBatcherOptions } from './judge-batcher.js';
