import type { ResearchProfile } from '../config/config-file.js';
import type { PaperState } from '../domain/paper-state.js';
import type { Verdict } from '../domain/verdict.js';
import type { PrefilterScore } from './prefilter.js';
import type { VerdictItem } from './verdict-reply.js';

const MAX_TEXT_CHARS = 600;

function clip(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length <= MAX_TEXT_CHARS ? clean : `${clean.slice(0, MAX_TEXT_CHARS - 1)}…`;
}

export function prefilterVerdict(score: PrefilterScore, threshold: number, judgedAt: string): Verdict {
  const why =
    score.excludedBy.length > 0
      ? `it mentions an exclusion (${score.excludedBy.join(', ')})`
      : score.matched.length > 0
        ? `it only touches ${score.matched.join(', ')}`
        : 'no profile keyword appears in its title or abstract';
  return {
    decidedBy: 'prefilter',
    prefilterScore: score.score,
    rationale: `Filtered without an LLM call: pre-filter score ${score.score.toFixed(3)} < ${threshold}, ${why}.`,
    comparedWith: [],
    judgedAt,
  };
}

export function llmVerdict(
  item: VerdictItem,
  context: { prefilterScore: number; modelId: string; comparedWith: string[]; judgedAt: string },
): Verdict {
  return {
    decidedBy: 'llm',
    prefilterScore: context.prefilterScore,
    relevance: item.relevance,
    novelty: item.novelty,
    feasibility: { verdict: item.feasibility, reason: clip(item.feasibilityReason) },
    rationale: clip(item.rationale),
    ...(item.smallestExperiment ? { smallestExperiment: clip(item.smallestExperiment) } : {}),
    modelId: context.modelId,
    comparedWith: context.comparedWith,
    judgedAt: context.judgedAt,
  };
}

/**
 * Accepted when relevance and novelty reach the profile's thresholds and Trainium is not ruled out;
 * "unclear" feasibility passes, because the approver sees the reason and code generation can find out.
 */
export function stateForVerdict(
  verdict: Verdict,
  thresholds: ResearchProfile['thresholds'],
): Extract<PaperState, 'accepted' | 'judge_rejected'> {
  const accepted =
    (verdict.relevance ?? 0) >= thresholds.relevance &&
    (verdict.novelty ?? 0) >= thresholds.novelty &&
    verdict.feasibility?.verdict !== 'no';
  return accepted ? 'accepted' : 'judge_rejected';
}

export function verdictNote(verdict: Verdict, state: PaperState): string {
  if (verdict.decidedBy === 'prefilter') return verdict.rationale;
  return (
    `${state === 'accepted' ? 'Accepted' : 'Rejected'}: relevance ${verdict.relevance}/10, novelty ` +
    `${verdict.novelty}/10, Trainium ${verdict.feasibility?.verdict}`
  );
}
