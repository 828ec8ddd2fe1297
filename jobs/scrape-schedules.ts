import { isValidCron } from '../src/config/cron-expression.js';
import type { CoreDeps } from '../src/deps.js';
import { scheduledRequest } from '../src/ingest/scheduled-request.js';
import { SCRAPE_LEASE_TTL_SECONDS } from '../src/ingest/scrape-lease.js';
import { scrapeKey } from '../src/ingest/scrape-request.js';
import type { ScrapeService } from '../src/ingest/scrape-service.js';
import { scrapesFor } from '../src/ingest/scrapes-for.js';
import type { ScheduledJob, Scheduler } from '../src/ports/scheduler.js';

export interface ScrapeJobsOptions {
  /** Default: `deps.scheduler` (node-cron, composed in `src/compose/`); a test may pass one it fires by hand. */
  scheduler?: Scheduler;
  service?: ScrapeService;
}

/**
 * The scheduled scrapes from the config (`schedules:`; default: arXiv daily at 06:00 in TIMEZONE), and, at
 * startup, the resumption of any scrape a crash or shutdown left unfinished. A run never overlaps the previous
 * one: the scheduler skips a run while the last is going, and the scrape lease holds across processes. A run that fails keeps
 * its position and posts why in its progress thread; the next scheduled run continues from there.
 */
export function startScrapeJobs(deps: CoreDeps, options: ScrapeJobsOptions = {}): { stop(): Promise<void> } {
  const service = options.service ?? scrapesFor(deps);
  const logger = deps.logger.child({ job: 'scrape-schedules' });
  const scheduler = options.scheduler ?? deps.scheduler;
  const tasks: ScheduledJob[] = [];

  for (const entry of deps.config.sources.schedules) {
    const parsed = scheduledRequest(entry);
    if ('problem' in parsed) {
      logger.error({ schedule: entry }, `scheduled scrape not started: ${parsed.problem}`);
      continue;
    }
    if (!isValidCron(entry.cron)) {
      logger.error(
        { schedule: entry },
        `scheduled scrape not started: "${entry.cron}" is not a cron expression`,
      );
      continue;
    }
    const key = scrapeKey(parsed.request);
    const run = async () => {
      const result = await service.start(parsed.request, { startedBy: 'schedule' });
      if (result.kind === 'running') {
        logger.info({ scrape: key }, 'previous scrape still running; this scheduled run is skipped');
        return;
      }
      await result.done;
    };
    tasks.push(
      scheduler.schedule(entry.cron, deps.config.timezone, () =>
        run().catch((error: unknown) =>
          logger.error({ err: error, scrape: key }, 'scheduled scrape failed to start'),
        ),
      ),
    );
    logger.info({ scrape: key, cron: entry.cron, timezone: deps.config.timezone }, 'scrape scheduled');
  }

  // Right after a crash the dead process's lease may still be live: those scrapes get one more try after it expires.
  let retry: NodeJS.Timeout | undefined;
  const resume = async (again: boolean): Promise<void> => {
    const results = await service.resumeUnfinished();
    const started = results.filter((result) => result.kind === 'started').length;
    if (started > 0) logger.info({ count: started }, 'resuming unfinished scrapes');
    if (again && results.some((result) => result.kind === 'running')) {
      retry = setTimeout(
        () => void resume(false).catch(logResumeError),
        (SCRAPE_LEASE_TTL_SECONDS + 5) * 1000,
      );
      retry.unref();
    }
  };
  const logResumeError = (error: unknown) =>
    logger.error({ err: error }, 'could not resume unfinished scrapes');
  const resumed = resume(true).catch(logResumeError);

  return {
    async stop() {
      clearTimeout(retry);
      for (const task of tasks) task.stop();
      await resumed;
      await service.stop();
    },
  };
}
