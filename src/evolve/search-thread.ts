import { isSearchOver } from '../domain/evolve-search-state.js';
import type { EvolveSearch } from '../domain/evolve-search.js';
import { leaderboardRows } from '../domain/evolve-leaderboard.js';
import type { ThreadRef } from '../domain/paper.js';
import { evolveLeaderboardMessage } from '../messages/evolve-leaderboard.js';
import { renderEvolvePlot } from '../plots/evolve-plot.js';
import type { MessageMetadata } from '../ports/chat.js';
import { refreshPlan } from './plan-message.js';
import { postSearchSummary } from './post-search-summary.js';
import { recordOnSearch } from './record-on-search.js';
import { findInThread, type SearchThreadDeps } from './search-thread-deps.js';
import { uploadOnce } from './upload-once.js';

/** Message metadata of the one leaderboard message of a search: how it is found again after a crash. */
export const LEADERBOARD_EVENT = 'sherpa_evolve_leaderboard';

/**
 * Show a search in its paper's thread (issue 13, item 6), after every step of the driver and once more when the
 * job ends: the one leaderboard message (posted once, then updated in place), the plot after each judged
 * generation, and at the end the summary with its files. Every post and upload is recorded on the search, so a
 * repeat (a redelivered job, a restart) updates instead of posting again.
 */
export async function showSearchInThread(deps: SearchThreadDeps, searchId: string): Promise<void> {
  let search = await deps.searches.get(searchId);
  if (!search || search.state === 'planned') return;
  const thread = search.thread ?? (await deps.papers.get(search.paperId))?.thread;
  if (!thread) {
    deps.logger.warn({ searchId, paperId: search.paperId }, 'the search’s paper has no thread to show it in');
    return;
  }
  search = await showLeaderboard(deps, search, thread);
  search = await showPlot(deps, search, thread);
  if (!isSearchOver(search.state)) return;
  await postSearchSummary(deps, search, thread);
  if (deps.coordination) await refreshPlan({ ...deps, coordination: deps.coordination }, search);
}

async function showLeaderboard(
  deps: SearchThreadDeps,
  search: EvolveSearch,
  thread: ThreadRef,
): Promise<EvolveSearch> {
  const content = evolveLeaderboardMessage(search, leaderboardRows(search));
  const metadata: MessageMetadata = {
    event_type: LEADERBOARD_EVENT,
    event_payload: { search_id: search.id },
  };
  if (search.leaderboardTs) {
    await deps.chat.update({ channel: thread.channel, ts: search.leaderboardTs, ...content, metadata });
    return search;
  }
  // Posted before a crash but never recorded: the message carries the search id; update it, never post twice.
  const found = await findInThread(deps, thread, LEADERBOARD_EVENT, search.id);
  let ts = found;
  if (ts) await deps.chat.update({ channel: thread.channel, ts, ...content, metadata });
  else
    ts = (await deps.chat.post({ channel: thread.channel, thread_ts: thread.ts, ...content, metadata })).ts;
  const posted = ts;
  return (
    (await recordOnSearch(deps.searches, search.id, (current) =>
      current.leaderboardTs ? undefined : { leaderboardTs: posted },
    )) ?? search
  );
}

/** After each judged generation, the plot of every variant's objective with the best so far as a line. */
async function showPlot(
  deps: SearchThreadDeps,
  search: EvolveSearch,
  thread: ThreadRef,
): Promise<EvolveSearch> {
  const judged = Math.max(0, ...search.generations.filter((g) => g.judged).map((g) => g.generation));
  if (judged <= (search.plottedGeneration ?? 0)) return search;
  const png = await (deps.renderPlot ?? renderEvolvePlot)(search);
  if (png) {
    const { metric } = search.settings.objective;
    // Once: its name carries the search and the generation, so an upload a crash cut short is found by it.
    await uploadOnce(deps, search.id, thread, {
      filename: `evolve-${search.id}-g${judged}.png`,
      content: png,
      title: `${metric} by generation (after generation ${judged})`,
      alt_text: `Every variant's ${metric} by generation, with the best so far as a line`,
    });
  }
  return (
    (await recordOnSearch(deps.searches, search.id, (current) =>
      (current.plottedGeneration ?? 0) >= judged ? undefined : { plottedGeneration: judged },
    )) ?? search
  );
}
