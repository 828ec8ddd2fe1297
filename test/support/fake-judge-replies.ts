import { createHash } from 'node:crypto';
import { type FakeReply, type RecordedConverse, toolUse } from './fake-bedrock.js';

/** The papers a judge request carries: `P<n> <title> (<venue> <year>)` lines of its user message. */
export function judgedPapersIn(request: RecordedConverse): Array<{ key: string; title: string }> {
  const text: string = request.body.messages?.[0]?.content?.[0]?.text ?? '';
  return [...text.matchAll(/^(P\d+) (.*) \([^()]*\)$/gm)].map((m) => ({
    key: m[1] ?? '',
    title: m[2] ?? '',
  }));
}

/** A stable pseudo-score from a title, so that fake verdicts mix accepts and rejects reproducibly. */
export function scoreOf(title: string, salt: string): number {
  return (
    ((createHash('sha256')
      .update(salt + title)
      .digest()[0] ?? 0) %
      10) +
    1
  );
}

/** A verdict of realistic length (about 170 output tokens), so benchmarks price output honestly. */
export function verdictFor(key: string, title: string) {
  return {
    paper: key,
    rationale:
      `The paper (${title.slice(0, 40)}) changes how a model is trained or served, which the team studies; ` +
      'its gains are reported at a scale a small replication can check.',
    relevance: scoreOf(title, 'relevance'),
    novelty: scoreOf(title, 'novelty'),
    feasibilityReason:
      'Built from standard PyTorch layers with static shapes; a scaled-down model fits in 32 GiB on one trn1.2xlarge.',
    feasibility: scoreOf(title, 'feasibility') > 2 ? 'yes' : 'no',
    smallestExperiment:
      'Train a 4-layer, 256-wide transformer on synthetic token sequences for 300 steps with and without the ' +
      'change, comparing loss curves and tokens per second.',
  };
}

/** A well-formed reply to a judge request: one verdict per paper in it. */
export function judgeReply(request: RecordedConverse): FakeReply {
  return toolUse({ verdicts: judgedPapersIn(request).map(({ key, title }) => verdictFor(key, title)) });
}

/** The thresholds the system prompt states for the smallest experiment (`relevance ≥ 7, novelty ≥ 5`). */
function experimentThresholds(request: RecordedConverse): { relevance: number; novelty: number } {
  const system = (request.body.system ?? []) as Array<{ text?: string }>;
  const text = system.map((block) => block.text ?? '').join('\n');
  const match = /relevance ≥ (\d+), novelty ≥ (\d+)/.exec(text);
  return { relevance: Number(match?.[1] ?? 1), novelty: Number(match?.[2] ?? 1) };
}

/**
 * A verdict as the judge's instructions ask for it, each text at the length the prompt allows (rationale 25
 * words, feasibility reason 12, smallest experiment 40, the experiment only for a paper that meets the
 * thresholds): what the judge benchmark prices as output. Scores are those of `verdictFor`.
 */
export function instructedVerdictFor(
  key: string,
  title: string,
  thresholds: { relevance: number; novelty: number },
) {
  const {
    rationale: _long,
    feasibilityReason: _reason,
    smallestExperiment: _experiment,
    ...scores
  } = verdictFor(key, title);
  const passes =
    scores.relevance >= thresholds.relevance &&
    scores.novelty >= thresholds.novelty &&
    scores.feasibility !== 'no';
  return {
    ...scores,
    rationale: `It (${title.slice(0, 30)}) changes how models are trained or served, central to the team's interests, with gains a small replication can check.`,
    feasibilityReason: 'Standard PyTorch layers, static shapes; a small model fits 32 GiB.',
    ...(passes
      ? {
          smallestExperiment:
            'Train a 4-layer, 256-wide transformer on synthetic token sequences for 300 steps with and without ' +
            'the change on one trn1.2xlarge; compare the loss curves and tokens per second over three seeds.',
        }
      : {}),
  };
}

/** A reply that follows the judge's instructions (see `instructedVerdictFor`): one verdict per paper. */
export function instructedJudgeReply(request: RecordedConverse): FakeReply {
  const thresholds = experimentThresholds(request);
  return toolUse({
    verdicts: judgedPapersIn(request).map(({ key, title }) => instructedVerdictFor(key, title, thresholds)),
  });
}
