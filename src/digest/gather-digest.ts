import type { CoreDeps } from '../deps.js';
import { describeForUser } from '../errors.js';
import { startOfLocalDay } from '../runs/local-day.js';
import { localDayKey } from '../threads/daily-quota.js';
import type { DigestData, InstanceReport } from '../messages/digest-data.js';
import { startOfLocalMonth } from './local-month.js';
import { spendPeriod } from './spend.js';

export type DigestDeps = Pick<CoreDeps, 'config' | 'clock' | 'papers' | 'ledger' | 'logger'> &
  Partial<Pick<CoreDeps, 'compute'>>;

/** The digest covers the 24 hours before it is built: a 09:00 digest tells what came in since yesterday's. */
export const DIGEST_WINDOW_HOURS = 24;
/** Candidates shown with an Open thread button (each is a block; the message holds 50). */
export const CANDIDATES_SHOWN = 8;

/** Enough to cover a whole venue judged in one day (NeurIPS accepts about 4,500). */
const TOUCHED_LIMIT = 50_000;
const CANDIDATE_SCAN = 2_000;
const WAITING_SCAN = 500;

/**
 * Read what the digest reports, all in parallel: the window's activity per source, the best accepted papers
 * still without a thread, papers waiting at a human gate, runs finished, spend today and this month (local
 * time, the same day the budget guard uses) and the instances' states. An instance lookup that fails is
 * reported in the digest rather than failing it.
 */
export async function gatherDigest(deps: DigestDeps, now: Date = deps.clock.now()): Promise<DigestData> {
  const timeZone = deps.config.timezone;
  const windowStart = new Date(now.getTime() - DIGEST_WINDOW_HOURS * 3_600_000).toISOString();
  const [activity, candidates, gated, today, month, instances] = await Promise.all([
    // Counted and ranked in the store: only what the digest shows comes back (issue 14, item 3).
    deps.papers.activitySince({ since: windowStart, limit: TOUCHED_LIMIT }),
    deps.papers.threadCandidates({ limit: CANDIDATES_SHOWN, scan: CANDIDATE_SCAN }),
    deps.papers.waitingWithThread({ scan: WAITING_SCAN }),
    deps.ledger.summarize({ since: startOfLocalDay(now, timeZone).toISOString() }),
    deps.ledger.summarize({ since: startOfLocalMonth(now, timeZone).toISOString() }),
    instanceReport(deps),
  ]);
  return {
    day: localDayKey(now, timeZone),
    generatedAt: now.toISOString(),
    windowStart,
    timeZone,
    sources: activity.sources,
    candidates: candidates.papers,
    candidatesTotal: candidates.total,
    // Longest waiting first: the store lists newest updates first.
    waiting: gated.reverse(),
    finishedRuns: activity.finishedRuns,
    spend: {
      today: spendPeriod(today),
      month: spendPeriod(month),
      dailyBudgetUsd: deps.config.budget.dailyUsd,
    },
    instances,
  };
}

export async function instanceReport(
  deps: Partial<Pick<CoreDeps, 'compute'>> & Pick<CoreDeps, 'logger'>,
): Promise<InstanceReport> {
  if (!deps.compute) return { kind: 'none' };
  try {
    return { kind: 'ok', statuses: await deps.compute.describe() };
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not read instance states');
    return { kind: 'unavailable', reason: describeForUser(error) };
  }
}
