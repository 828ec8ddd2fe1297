import type { CoreDeps } from '../deps.js';
import { instanceReport } from '../digest/gather-digest.js';
import { startOfLocalMonth } from '../digest/local-month.js';
import { AWAITING_HUMAN, PAPER_STATES, RUN_IN_FLIGHT, type PaperState } from '../domain/paper-state.js';
import type { Paper } from '../domain/paper.js';
import type { QueueName } from '../ports/work-queue.js';
import { startOfLocalDay } from '../runs/local-day.js';
import type { HomeSummary } from '../messages/home-view.js';
import type { QueueLine } from '../messages/home-sections.js';

export type HomeDeps = Pick<CoreDeps, 'config' | 'clock' | 'papers' | 'ledger' | 'queues' | 'logger'> &
  Partial<Pick<CoreDeps, 'compute'>>;

const AWAITING_SHOWN = 15;
const THREADS_SHOWN = 8;
/** Papers with threads are in the states after judging; the most recently touched hold the newest threads. */
const THREAD_SCAN = 300;
const THREAD_STATES: readonly PaperState[] = PAPER_STATES.filter(
  (state) => !['scraped', 'filtered', 'judge_rejected', 'judge_failed'].includes(state),
);

async function queueLines(deps: HomeDeps): Promise<QueueLine[]> {
  // Only the queues this deployment has (the evolve queue is absent on SQS without SQS_EVOLVE_QUEUE_URL).
  const names = (Object.keys(deps.queues) as QueueName[]).filter((name) => deps.queues[name]);
  return Promise.all(
    names.map(async (name) => {
      try {
        return { name, depth: await deps.queues[name]!.depth() };
      } catch (error) {
        deps.logger.warn({ err: error, queue: name }, 'could not read a queue depth for the Home tab');
        return { name, depth: undefined };
      }
    }),
  );
}

/** Newest thread first (a thread's ts is when it was opened). */
function latestThreads(papers: readonly Paper[]): Paper[] {
  return papers
    .filter((paper) => paper.thread)
    .sort((a, b) => Number(b.thread?.ts) - Number(a.thread?.ts))
    .slice(0, THREADS_SHOWN);
}

/** Everything the Home tab shows, read in parallel each time someone opens it. */
export async function gatherHome(deps: HomeDeps): Promise<HomeSummary> {
  const now = deps.clock.now();
  const timeZone = deps.config.timezone;
  const [counts, awaiting, inFlight, recent, today, month, queues, instances] = await Promise.all([
    deps.papers.countByState(),
    deps.papers.listByState(AWAITING_HUMAN, { limit: AWAITING_SHOWN }),
    deps.papers.listByState(RUN_IN_FLIGHT, { limit: 50 }),
    deps.papers.listByState(THREAD_STATES, { limit: THREAD_SCAN }),
    deps.ledger.summarize({ since: startOfLocalDay(now, timeZone).toISOString() }),
    deps.ledger.summarize({ since: startOfLocalMonth(now, timeZone).toISOString() }),
    queueLines(deps),
    instanceReport(deps),
  ]);
  return {
    counts,
    awaiting,
    channel: deps.config.slack.channel,
    generatedAt: now.toISOString(),
    timeZone,
    runsInFlight: inFlight.map((paper) => ({ paper, run: paper.runs.at(-1) })),
    latestThreads: latestThreads(recent),
    spend: { todayUsd: today.usd, monthUsd: month.usd, dailyBudgetUsd: deps.config.budget.dailyUsd },
    queues,
    instances,
  };
}
