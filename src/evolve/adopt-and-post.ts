import { postCodeStep, type PostCodeStepDeps } from '../codegen/post-code-step.js';
import type { CodeVersion } from '../domain/code-version.js';
import type { Paper } from '../domain/paper.js';
import type { CoreDeps } from '../deps.js';
import type { SearchStore } from '../ports/search-store.js';
import { adoptVariant } from './adopt-variant.js';

export type AdoptAndPostOutcome =
  { kind: 'adopted' | 'already'; paper: Paper; version: CodeVersion } | { kind: 'refused'; message: string };

/**
 * **Adopt as code version** (issue 13, item 6): the variant becomes the paper's current code version
 * (`adoptVariant`, one compare-and-set), then it is posted in the thread as a code step, with its Run on
 * Trainium / Run on GPU buttons, the way a generated version is, so a normal run with its approval and budget
 * gate follows. The post is keyed by the paper's version number: a second click (or one after a crash between
 * the adoption and the post) finishes the post instead of repeating it.
 */
export async function adoptAndPost(
  deps: PostCodeStepDeps & Pick<CoreDeps, 'papers'> & { searches: SearchStore },
  request: { searchId: string; variantId: string; userId: string },
): Promise<AdoptAndPostOutcome> {
  const outcome = await adoptVariant(deps, request);
  if (outcome.kind === 'refused') return outcome;
  const { paper, version } = outcome;
  if (!paper.thread) return outcome;
  await postCodeStep(deps, paper, paper.thread, version, {
    requestedBy: request.userId,
    modelId: deps.config.bedrock.codegenModelId,
  });
  return outcome;
}
