import type { ResearchProfile } from '../config/config-file.js';
import type { PaperState } from '../domain/paper-state.js';
import type { Verdict } from '../domain/verdict.js';
import type { PrefilterScore } from './prefilter.js';
import type { TrainiumAnswer, VerdictItem } from './verdict-reply.js';

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

/** The words the thread and the codegen prompt show for each Trainium answer (the system prompt's reasons). */
const TRAINIUM_REASONS: Record<TrainiumAnswer, string> = {
  yes: 'standard operators; a scaled-down model fits one trn1.2xlarge',
  unclear: 'the abstract does not say enough to tell',
  'no-custom-kernels': 'needs custom CUDA or Triton kernels',
  'no-gpu-only': 'relies on GPU-only features',
  'no-too-large': 'needs a model that cannot be shrunk to fit 32 GiB',
  'no-dynamic-shapes': 'needs data-dependent shapes that cannot be made static',
  'no-sparse-ops': 'needs sparse tensor kernels Neuron lacks',
};

export function feasibilityOf(answer: TrainiumAnswer): NonNullable<Verdict['feasibility']> {
  const verdict = answer === 'yes' || answer === 'unclear' ? answer : 'no';
  return { verdict, reason: TRAINIUM_REASONS[answer] };
}

/**
 * The rationale of a verdict the model gave without one (it is asked only of papers that meet the thresholds):
 * which score kept the paper out, in the profile's own terms, so `/paper status` still says why.
 */
function scoreRationale(item: VerdictItem, thresholds: ResearchProfile['thresholds']): string {
  const short: string[] = [];
  if (item.relevance < thresholds.relevance) {
    short.push(`relevance ${item.relevance}/10 is below ${thresholds.relevance}`);
  }
  if (item.novelty < thresholds.novelty)
    short.push(`novelty ${item.novelty}/10 is below ${thresholds.novelty}`);
  if (!item.trainium.startsWith('no') && short.length === 0) {
    return 'The judge gave scores without a rationale.';
  }
  if (item.trainium.startsWith('no')) short.push(`Trainium: ${TRAINIUM_REASONS[item.trainium]}`);
  return `Scores only (a rationale is written for papers that meet the thresholds): ${short.join('; ')}.`;
}

export function llmVerdict(
  item: VerdictItem,
  context: {
    prefilterScore: number;
    modelId: string;
    comparedWith: string[];
    judgedAt: string;
    thresholds: ResearchProfile['thresholds'];
  },
): Verdict {
  return {
    decidedBy: 'llm',
    prefilterScore: context.prefilterScore,
    relevance: item.relevance,
    novelty: item.novelty,
    feasibility: feasibilityOf(item.trainium),
    rationale: item.rationale ? clip(item.rationale) : scoreRationale(item, context.thresholds),
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
