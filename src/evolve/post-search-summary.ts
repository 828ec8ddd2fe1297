import { diffFromOrigin, lineageOf } from '../domain/evolve-lineage.js';
import { finalVerdict } from '../domain/evolve-noise-rule.js';
import type { EvolveSearch } from '../domain/evolve-search.js';
import type { ThreadRef } from '../domain/paper.js';
import { evolveSummaryMessage } from '../messages/evolve-summary.js';
import type { MessageMetadata } from '../ports/chat.js';
import { searchSpend } from './cost-estimate.js';
import { recordOnSearch } from './record-on-search.js';
import { resultsTsv } from './results-tsv.js';
import { findInThread, type SearchThreadDeps } from './search-thread-deps.js';
import { uploadOnce } from './upload-once.js';

/** Message metadata of a search's final summary. */
export const SUMMARY_EVENT = 'sherpa_evolve_summary';

/**
 * The end of a search in its thread (issue 13, item 6): why it ended (finished, capped with the reason, stopped
 * by whom), whether the best is a real improvement or within noise, its lineage, the total cost from the
 * ledger, its diff against the original with **Adopt as code version**; then its code and the full table as
 * files. The summary is posted once (recorded, and found by its metadata after a crash); the files once their
 * summary is recorded, each exactly once (`upload-once.ts`: keyed by a name that carries the variant or search
 * id, found in the thread after a crash).
 */
export async function postSearchSummary(
  deps: SearchThreadDeps,
  search: EvolveSearch,
  thread: ThreadRef,
): Promise<void> {
  const lineage = lineageOf(search);
  const best = lineage.at(-1);
  let current = search;
  if (!current.summaryTs) {
    const originCode = (await deps.blobs.getText(`code/${search.origin.codeHash}.py`)) ?? '';
    const bestCode = best?.codeHash ? await deps.blobs.getText(`code/${best.codeHash}.py`) : undefined;
    const entries = await deps.ledger.entries({ paperId: search.paperId, since: search.createdAt });
    const content = evolveSummaryMessage(search, {
      diff: bestCode !== undefined ? diffFromOrigin(originCode, bestCode) : '',
      totalUsd: searchSpend(search, entries).usd,
      verdict: finalVerdict(search),
      lineage,
    });
    const metadata: MessageMetadata = { event_type: SUMMARY_EVENT, event_payload: { search_id: search.id } };
    const ts =
      (await findInThread(deps, thread, SUMMARY_EVENT, search.id)) ??
      (await deps.chat.post({ channel: thread.channel, thread_ts: thread.ts, ...content, metadata })).ts;
    current =
      (await recordOnSearch(deps.searches, search.id, (s) =>
        s.summaryTs ? undefined : { summaryTs: ts },
      )) ?? current;
  }
  if (current.summaryFilesAt) return;
  if (best?.codeHash) {
    const code = await deps.blobs.getText(`code/${best.codeHash}.py`);
    if (code !== undefined)
      await uploadOnce(deps, search.id, thread, {
        filename: `train-${best.id}.py`,
        content: code,
        title: `The best variant's train.py (${best.codeHash.slice(0, 12)})`,
        snippet_type: 'python',
      });
  }
  await uploadOnce(deps, search.id, thread, {
    filename: `evolve-${search.id}.tsv`,
    content: resultsTsv(search),
    title: 'Every variant of the search',
  });
  await recordOnSearch(deps.searches, search.id, (s) =>
    s.summaryFilesAt ? undefined : { summaryFilesAt: deps.clock.now().toISOString() },
  );
}
