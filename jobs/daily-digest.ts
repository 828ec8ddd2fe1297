import { randomUUID } from 'node:crypto';
import type { CoreDeps } from '../src/deps.js';
import { type DigestRecord, digestKey } from '../src/digest/digest-claim.js';
import { type DailyDigestOutcome, postScheduledDigest } from '../src/digest/post-digest.js';
import type { Scheduler } from '../src/ports/scheduler.js';
import { realSleep, type Sleep } from '../src/ports/sleep.js';
import type { Heartbeat } from '../src/runs/heartbeat.js';
import { localDayKey } from '../src/threads/daily-quota.js';

export interface DailyDigestOptions {
  /** Default: `deps.scheduler` (node-cron, composed in `src/compose/`); a test may pass one it fires by hand. */
  scheduler?: Scheduler;
  sleep?: Sleep;
  /** This process's name on the day's claim (default: a random id per start). */
  holder?: string;
}

/** After a failed attempt (Slack or the store down), try again this much later, a few times a day at most. */
export const DIGEST_RETRY_MS = 5 * 60_000;
const MAX_FAILURES_PER_DAY = 6;

/**
 * The daily digest on `DIGEST_SCHEDULE` in `TIMEZONE`. Each run posts today's digest unless some process already
 * did (`postScheduledDigest` claims the day in the CoordinationStore), so restarts and replicas post one a day.
 * At start, a claim for today that was never posted (a crash between claim and post) is picked up again once it
 * goes stale; a schedule missed while Sherpa was down is not caught up (`/paper digest` posts one by hand).
 */
export function startDailyDigest(deps: CoreDeps, options: DailyDigestOptions = {}): Heartbeat {
  const logger = deps.logger.child({ job: 'daily-digest' });
  const scheduler = options.scheduler ?? deps.scheduler;
  const sleep = options.sleep ?? realSleep;
  const holder = options.holder ?? randomUUID();
  const stopping = new AbortController();
  const pending = new Set<Promise<void>>();
  const failures = new Map<string, number>();
  let inFlight: Promise<void> | undefined;

  const today = () => localDayKey(deps.clock.now(), deps.config.timezone);

  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  /** Look again later, but only for the same day: a retry that wakes up tomorrow must not post tomorrow's. */
  const retryAt = (day: string, at: Date, reason: string) => {
    const wait = Math.max(1000, at.getTime() - deps.clock.now().getTime() + 1000);
    logger.info({ day, inSeconds: Math.round(wait / 1000), reason }, 'digest: looking again later');
    track(
      sleep(wait, stopping.signal).then(async () => {
        if (!stopping.signal.aborted && today() === day) await attempt(reason);
      }),
    );
  };

  const handle = (day: string, outcome: DailyDigestOutcome) => {
    if (outcome.kind === 'busy') retryAt(day, outcome.retryAt, 'claim held by another process');
    else logger.debug({ day, outcome: outcome.kind }, 'digest attempt finished');
  };

  /** One attempt at a time in this process; resolves when it is over (errors are logged, never thrown). */
  function attempt(reason: string): Promise<void> {
    if (stopping.signal.aborted) return Promise.resolve();
    if (inFlight) return inFlight;
    const day = today();
    inFlight = postScheduledDigest(deps, holder)
      .then((outcome) => handle(day, outcome))
      .catch((error: unknown) => {
        const failed = (failures.get(day) ?? 0) + 1;
        failures.set(day, failed);
        logger.error({ err: error, day, reason, failed }, 'daily digest failed');
        if (failed < MAX_FAILURES_PER_DAY)
          retryAt(day, new Date(deps.clock.now().getTime() + DIGEST_RETRY_MS), 'retry after failure');
      })
      .finally(() => {
        inFlight = undefined;
      });
    track(inFlight);
    return inFlight;
  }

  const job = scheduler.schedule(deps.config.digest.schedule, deps.config.timezone, () =>
    attempt('schedule'),
  );
  track(
    deps.coordination
      .get<DigestRecord>(digestKey(today()))
      .then((record) => {
        if (record?.value.state === 'claimed') return attempt('unfinished claim found at start');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'could not read today’s digest record')),
  );
  logger.info(
    { cron: deps.config.digest.schedule, timeZone: deps.config.timezone },
    'daily digest scheduled',
  );

  return {
    async stop() {
      job.stop();
      stopping.abort();
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
