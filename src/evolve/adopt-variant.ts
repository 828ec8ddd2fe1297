import type { CodeVersion } from '../domain/code-version.js';
import type { Paper } from '../domain/paper.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { PaperStore } from '../ports/paper-store.js';
import type { SearchStore } from '../ports/search-store.js';
import { lineageOf } from '../domain/evolve-lineage.js';

export type AdoptOutcome =
  | { kind: 'adopted'; paper: Paper; version: CodeVersion }
  /** The variant is already the paper's current code (a second click). */
  | { kind: 'already'; paper: Paper; version: CodeVersion }
  | { kind: 'refused'; message: string };

/**
 * Adopt as code version (issue 13, item 6): the variant's script becomes the paper's next code version, with
 * its hash and its lineage as the reason, and the paper returns to `code_ready` so a normal Run on Trainium
 * (with its approval and budget gate) runs it. One compare-and-set: a second click finds it done.
 */
export async function adoptVariant(
  deps: { papers: PaperStore; searches: SearchStore; blobs: BlobStore; clock: Clock },
  request: { searchId: string; variantId: string; userId: string },
): Promise<AdoptOutcome> {
  const search = await deps.searches.get(request.searchId);
  const variant = search?.variants.find((candidate) => candidate.id === request.variantId);
  if (!search || !variant?.codeHash || variant.status !== 'succeeded')
    return { kind: 'refused', message: 'That variant has no finished code to adopt.' };
  const paper = await deps.papers.get(search.paperId);
  if (!paper)
    return { kind: 'refused', message: `Paper ${search.paperId} is not in Sherpa's store any more.` };
  const existing = paper.codeVersions.find((version) => version.evolvedFrom?.variantId === variant.id);
  if (existing && paper.currentCodeHash === existing.hash)
    return { kind: 'already', paper, version: existing };
  const blobKey = `code/${variant.codeHash}.py`;
  if (!(await deps.blobs.exists(blobKey)))
    return { kind: 'refused', message: `The code of ${variant.id} is missing from the blob store.` };
  const lineage = lineageOf({ ...search, parentHash: variant.codeHash })
    .map((step) => `g${step.generation} ${step.label}: ${step.strategy}`)
    .join(' → ');
  const version: CodeVersion = {
    hash: variant.codeHash,
    blobKey,
    version: Math.max(0, ...paper.codeVersions.map((v) => v.version)) + 1,
    plan: `Evolved by search ${search.id}: ${lineage}`.slice(0, 2000),
    checks: [{ name: 'Checked as a variant before it ran', passed: true }],
    reason: `adopted from evolve search ${search.id} by <@${request.userId}>`,
    usedPdf: false,
    objective: search.settings.objective,
    // The variants ran on the search's hardware: Run on Trainium or Run on GPU is offered accordingly.
    backend: search.settings.target,
    evolvedFrom: { searchId: search.id, variantId: variant.id },
    createdAt: deps.clock.now().toISOString(),
  };
  const moved = await deps.papers.transition({
    paperId: paper.id,
    from: ['succeeded'],
    to: 'code_ready',
    actor: request.userId,
    artifactHash: variant.codeHash,
    note: `adopted ${variant.id} from evolve search ${search.id}`,
    ifVersion: paper.version,
    patch: { codeVersions: [...paper.codeVersions, version], currentCodeHash: variant.codeHash },
  });
  if (!moved.ok)
    return {
      kind: 'refused',
      message:
        moved.reason === 'not_found'
          ? 'The paper is gone.'
          : `The paper moved on (${moved.paper.state}) before the adoption; look at the thread and try again.`,
    };
  return { kind: 'adopted', paper: moved.paper, version };
}
