import type { CoreDeps } from '../deps.js';
import type { PaperReference } from '../domain/identifiers.js';
import type { Paper } from '../domain/paper.js';
import { PermanentError } from '../errors.js';
import { normalisePaper } from '../ingest/normalise-paper.js';
import { rawKeyFor } from '../ingest/raw-key.js';

export type FetchPaperDeps = Pick<CoreDeps, 'logger' | 'papers' | 'blobs' | 'paperLookup'>;

/**
 * Fetch a paper Sherpa has not seen from its source (arXiv or OpenReview, through `ARXIV_API_URL` /
 * `OPENREVIEW_API_URL`), keep the raw record and store it with the usual dedup. Undefined when the source has
 * no such paper; a DOI or an unknown Sherpa id cannot be fetched.
 */
export async function fetchAndStorePaper(
  deps: FetchPaperDeps,
  reference: PaperReference,
): Promise<Paper | undefined> {
  if (reference.kind !== 'arxiv' && reference.kind !== 'openreview') {
    throw new PermanentError(
      `Sherpa can only fetch papers by arXiv or OpenReview id, not by ${reference.kind}`,
      {
        hint: 'Use the arXiv id or the OpenReview forum URL',
      },
    );
  }
  const record = await deps.paperLookup.fetch({ kind: reference.kind, id: reference.id });
  if (!record) return undefined;
  const normalised = normalisePaper(record.paper);
  if (!normalised.ok)
    throw new PermanentError(`The record for ${reference.id} could not be read: ${normalised.reason}`);
  const rawKey = rawKeyFor(normalised.paper.source, normalised.paper.sourceId);
  const outcome = await deps.papers.ingest(normalised.paper, rawKey);
  await deps.blobs.put(rawKey, JSON.stringify(record.raw), { contentType: 'application/json' });
  deps.logger.info(
    { paperId: outcome.paper.id, source: normalised.paper.source, outcome: outcome.kind },
    'paper fetched by id',
  );
  return outcome.paper;
}
