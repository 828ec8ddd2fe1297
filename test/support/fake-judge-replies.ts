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

/**
 * A verdict with every text filled in, whether or not the paper meets the thresholds (the schema allows texts on
 * any paper), so tests can check that the texts the model gives are stored as given.
 */
export function verdictFor(key: string, title: string) {
  const relevance = scoreOf(title, 'relevance');
  return {
    paper: key,
    relevance,
    novelty: scoreOf(title, 'novelty'),
    trainium: scoreOf(title, 'feasibility') > 2 ? ('yes' as const) : ('no-custom-kernels' as const),
    rationale:
      `The paper (${title.slice(0, 40)}) changes how a model is trained or served, which the team studies; ` +
      'its gains are reported at a scale a small replication can check.',
    smallestExperiment:
      'Train a 4-layer, 256-wide transformer on synthetic token sequences for 300 steps with and without the ' +
      'change, comparing loss curves and tokens per second.',
  };
}

/** A well-formed reply to a judge request: one verdict per paper in it. */
export function judgeReply(request: RecordedConverse): FakeReply {
  return toolUse({ verdicts: judgedPapersIn(request).map(({ key, title }) => verdictFor(key, title)) });
}

/** The same reply without the verdicts for the given keys: a model that left papers out. */
export function judgeReplyWithout(...keys: string[]): (request: RecordedConverse) => FakeReply {
  return (request) =>
    toolUse({
      verdicts: judgedPapersIn(request)
        .filter(({ key }) => !keys.includes(key))
        .map(({ key, title }) => verdictFor(key, title)),
    });
}

/** The thresholds the system prompt states for the texts (`relevance ≥ 7, novelty ≥ 5`). */
function experimentThresholds(request: RecordedConverse): { relevance: number; novelty: number } {
  const system = (request.body.system ?? []) as Array<{ text?: string }>;
  const text = system.map((block) => block.text ?? '').join('\n');
  const match = /relevance ≥ (\d+), novelty ≥ (\d+)/.exec(text);
  return { relevance: Number(match?.[1] ?? 1), novelty: Number(match?.[2] ?? 1) };
}

/**
 * A verdict as the judge's instructions ask for it: scores and the Trainium answer for every paper, and for a
 * paper that meets the thresholds a rationale and a smallest experiment each at the most words the prompt allows
 * (20 and 30): what the judge benchmark prices as output. Scores are those of `verdictFor`.
 */
export function instructedVerdictFor(
  key: string,
  title: string,
  thresholds: { relevance: number; novelty: number },
) {
  const { rationale: _rationale, smallestExperiment: _experiment, ...scores } = verdictFor(key, title);
  const passes =
    scores.relevance >= thresholds.relevance &&
    scores.novelty >= thresholds.novelty &&
    !scores.trainium.startsWith('no');
  return {
    ...scores,
    ...(passes
      ? {
          // 20 words.
          rationale: `It (${title.slice(0, 30)}) changes how models are trained or served, central to the team's interests, with checkable gains.`,
          // 30 words.
          smallestExperiment:
            'Train a 4-layer, 256-wide transformer on synthetic token sequences for 300 steps with and without ' +
            'the change on one trn1.2xlarge; compare loss curves and tokens per second over three seeds.',
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
