import type { EvolveSearch } from '../domain/evolve-search.js';
import { evolveConfirmedLine } from '../messages/evolve-replies.js';
import type { SearchStore } from '../ports/search-store.js';
import { postSearchLine, refreshPlan } from './plan-message.js';
import type { PostOnceDeps } from './post-once.js';

export type ConfirmOutcome =
  /** `handedOver` false: confirmed, but the hand-over to the worker failed (logged in full). */
  | { kind: 'confirmed'; search: EvolveSearch; handedOver: boolean }
  /** Someone confirmed or cancelled it first (a double submit, a second approver): nothing changed. */
  | { kind: 'not_planned'; search: EvolveSearch }
  | { kind: 'not_found' };

export type ConfirmDeps = PostOnceDeps & {
  searches: SearchStore;
  /** Hands the confirmed search to the search worker (`sendEvolveJob`: the evolve queue). */
  handOver: (search: EvolveSearch) => Promise<void>;
};

/**
 * The approver's one confirmation (issue 13, item 1): `planned → confirmed` by compare-and-set with who
 * confirmed it, so of two submits (a double click, two approvers, a redelivery) exactly one moves it and only
 * that one hands it over; the other hears who did. Then the plan message shows the confirmation with Stop,
 * and a line in the thread says it started.
 */
export async function confirmSearch(
  deps: ConfirmDeps,
  request: { searchId: string; userId: string; note: string },
): Promise<ConfirmOutcome> {
  const moved = await deps.searches.move(request.searchId, {
    from: 'planned',
    to: 'confirmed',
    patch: { confirmedBy: request.userId },
  });
  if (!moved.ok) {
    if (moved.reason === 'not_found') return { kind: 'not_found' };
    return { kind: 'not_planned', search: moved.search };
  }
  const search = moved.search;
  deps.logger.info(
    { paperId: search.paperId, searchId: search.id, userId: request.userId },
    'evolve search confirmed',
  );
  let handedOver = true;
  try {
    await deps.handOver(search);
  } catch (error) {
    handedOver = false;
    deps.logger.error(
      { err: error, paperId: search.paperId, searchId: search.id },
      'confirmed search not handed to the worker',
    );
  }
  // What Slack shows follows the move; a failure to show it never undoes or repeats the confirmation.
  await refreshPlan(deps, search);
  await postSearchLine(deps, search, 'confirmed', evolveConfirmedLine(request.userId, request.note)).catch(
    (error: unknown) =>
      deps.logger.warn({ err: error, searchId: search.id }, 'could not post the confirmation line'),
  );
  return { kind: 'confirmed', search, handedOver };
}
