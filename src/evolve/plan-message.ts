import type { EvolveSearch } from '../domain/evolve-search.js';
import { evolvePlanMessage, type PlanFigures } from '../messages/evolve-plan.js';
import type { PostedRecord } from './post-once.js';
import { postOnce, type PostOnceDeps } from './post-once.js';

/**
 * The plan message of a search in its paper's thread (issue 13, item 1), and the lines that starting and
 * steering a search leave there: each posted once under a key of the search, so a redelivered click or a
 * second replica never posts one twice.
 */
export const planKey = (searchId: string) => `evolve/${searchId}/plan`;
const lineKey = (searchId: string, what: string) => `evolve/${searchId}/line/${what}`;

export function threadOf(search: EvolveSearch): { channel: string; threadTs: string } | undefined {
  return search.thread && { channel: search.thread.channel, threadTs: search.thread.ts };
}

/** Post the plan (once; `posted` says whether this call did); its figures are kept with it, so the message can be rebuilt as the search moves. */
export async function postPlan(
  deps: PostOnceDeps,
  search: EvolveSearch,
  estimate: PlanFigures,
): Promise<{ ts?: string; posted: boolean }> {
  const where = threadOf(search);
  if (!where) return { posted: false };
  const posted = await postOnce(deps, planKey(search.id), where, estimate, () =>
    evolvePlanMessage(search, estimate),
  );
  return { ...(posted.ts ? { ts: posted.ts } : {}), posted: posted.posted };
}

/** The posted plan's figures and ts, when the plan was posted. */
export async function postedPlan(
  deps: Pick<PostOnceDeps, 'coordination'>,
  searchId: string,
): Promise<{ ts?: string; figures: PlanFigures } | undefined> {
  const record = await deps.coordination.get<PostedRecord<PlanFigures>>(planKey(searchId));
  return record && { ...(record.value.ts ? { ts: record.value.ts } : {}), figures: record.value.data };
}

/**
 * Rebuild the plan message from the search as it is now (who confirmed it, Stop, how it ended). Logged, not
 * thrown: the move it shows already stands.
 */
export async function refreshPlan(deps: PostOnceDeps, search: EvolveSearch): Promise<void> {
  const where = threadOf(search);
  const plan = await postedPlan(deps, search.id);
  if (!where || !plan?.ts) return;
  try {
    await deps.chat.update({
      channel: where.channel,
      ts: plan.ts,
      ...evolvePlanMessage(search, plan.figures),
    });
  } catch (error) {
    deps.logger.warn(
      { err: error, searchId: search.id, paperId: search.paperId },
      'could not update the plan',
    );
  }
}

/** A line in the thread (confirmed, cancelled, stopped), once per `what`. */
export async function postSearchLine(
  deps: PostOnceDeps,
  search: EvolveSearch,
  what: string,
  text: string,
): Promise<boolean> {
  const where = threadOf(search);
  if (!where) return false;
  const posted = await postOnce(deps, lineKey(search.id, what), where, {}, () => ({
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  }));
  return posted.posted;
}
