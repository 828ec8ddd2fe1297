import { describeForUser } from '../src/errors.js';
import { realSleep, type Sleep } from '../src/ports/sleep.js';
import { DailyThreadQuota, localDayKey } from '../src/threads/daily-quota.js';
import { openThreadFor, ThreadBeingOpenedError, threadPostPending } from '../src/threads/open-thread.js';
import { rankForThreads } from '../src/threads/rank-candidates.js';
import type { ThreadDeps } from '../src/threads/thread-deps.js';

export interface PostThreadsOptions {
  /** Only papers judged this recently get an automatic thread; older ones wait for the digest. */
  lookbackHours?: number;
  /** How many accepted papers to consider per run. */
  scanLimit?: number;
}

export interface PostThreadsReport {
  opened: string[];
  /** Roots posted by an attempt that crashed before recording them, found in the channel and kept (they count). */
  adopted: string[];
  /** Accepted papers without a thread that did not fit today's quota (the digest lists them). */
  waiting: string[];
  failed: { paperId: string; error: string }[];
}

/**
 * Give the best newly accepted papers their threads, at most `MAX_THREADS_PER_DAY` a day (in the configured
 * time zone). Safe to run as often as wanted, from any number of replicas: the quota and each thread are
 * compare-and-set. Run it after each judge round and on a timer.
 */
export async function postThreads(
  deps: ThreadDeps,
  options: PostThreadsOptions = {},
): Promise<PostThreadsReport> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - (options.lookbackHours ?? 24) * 3_600_000).toISOString();
  const accepted = await deps.papers.listByState(['accepted'], { limit: options.scanLimit ?? 500 });
  const candidates = rankForThreads(
    accepted.filter((paper) => !paper.thread && paper.verdict && paper.verdict.judgedAt >= since),
  );
  const quota = new DailyThreadQuota(
    deps.coordination,
    localDayKey(now, deps.config.timezone),
    deps.config.threads.maxPerDay,
  );
  const report: PostThreadsReport = { opened: [], adopted: [], waiting: [], failed: [] };

  for (const paper of candidates) {
    if (!(await quota.reserve(paper.id))) {
      report.waiting.push(paper.id);
      continue;
    }
    try {
      const { created, adopted } = await openThreadFor(paper.id, deps);
      if (created) report.opened.push(paper.id);
      if (adopted) report.adopted.push(paper.id);
    } catch (error) {
      // The slot goes back only when no root of this paper can be in the channel (issue 10, found item 13).
      if (!(await rootMayExist(deps, paper.id, error))) await quota.release(paper.id);
      report.failed.push({ paperId: paper.id, error: describeForUser(error) });
      deps.logger.warn(
        { err: error, paperId: paper.id },
        'could not open a thread; it is tried again next run',
      );
    }
  }
  if (report.opened.length > 0 || report.adopted.length > 0 || report.waiting.length > 0) {
    deps.logger.info(
      {
        opened: report.opened.length,
        adopted: report.adopted.length,
        waiting: report.waiting.length,
        failed: report.failed.length,
      },
      'threads posted',
    );
  }
  return report;
}

/** Another holder may be posting it, or a crashed attempt's root may be there: the slot stays taken. */
async function rootMayExist(deps: ThreadDeps, paperId: string, error: unknown): Promise<boolean> {
  if (error instanceof ThreadBeingOpenedError) return true;
  return threadPostPending(deps, paperId);
}

export interface ThreadPoster {
  /**
   * Post threads now instead of at the next timer round: called at the end of each judge round, so a paper the
   * judge accepts gets its thread within seconds (issue 11, item 6). Calls while a round runs fold into one
   * more round after it; nothing runs after `stop()`.
   */
  nudge(): void;
  stop(): Promise<void>;
}

/**
 * Run `postThreads` now, after every `nudge()`, and every `intervalMs` (default 5 minutes) as a safety net for a
 * nudge that was lost (a crash between the verdict and the post, a round that failed). The daily quota keeps
 * the channel calm however often this runs.
 */
export function startThreadPoster(
  deps: ThreadDeps,
  options: PostThreadsOptions & { intervalMs?: number; nudgeGapMs?: number; sleep?: Sleep } = {},
): ThreadPoster {
  const controller = new AbortController();
  const sleep = options.sleep ?? realSleep;
  // Aborted by a nudge: ends the sleep, or, during a round, asks for one more round right after it.
  let wake = new AbortController();
  const loop = (async () => {
    while (!controller.signal.aborted) {
      wake = new AbortController();
      try {
        await postThreads(deps, options);
      } catch (error) {
        deps.logger.error({ err: error }, 'posting threads failed; trying again on the next round');
      }
      // A nudge that came while this round ran may concern a paper the round did not see: go again soon, after
      // a short gap that folds a burst of judge rounds (a big scrape) into one.
      if (wake.signal.aborted) {
        await sleep(options.nudgeGapMs ?? 1000, controller.signal);
        continue;
      }
      if (controller.signal.aborted) break;
      await sleep(options.intervalMs ?? 5 * 60_000, AbortSignal.any([controller.signal, wake.signal]));
    }
  })();
  return {
    nudge() {
      wake.abort();
    },
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
