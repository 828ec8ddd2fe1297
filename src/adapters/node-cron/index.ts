import cron from 'node-cron';
import type { Logger } from '../../logging/logger.js';
import type { Scheduler } from '../../ports/scheduler.js';

/**
 * The Scheduler port on node-cron 4: one task per schedule in the configured time zone (DST handled by
 * node-cron's zone-aware matcher), no overlapping runs, and node-cron's own warnings sent to the pino logger
 * instead of the console.
 */
export function createCronScheduler(logger: Logger): Scheduler {
  const log = logger.child({ component: 'scheduler' });
  const bridge = {
    info: (message: string) => log.info(message),
    warn: (message: string) => log.warn(message),
    error: (message: string | Error, err?: Error) =>
      log.error({ err: err ?? (message instanceof Error ? message : undefined) }, String(message)),
    debug: (message: string | Error) => log.debug(String(message)),
  };
  return {
    schedule(expression, timeZone, run) {
      const task = cron.schedule(expression, () => run(), {
        timezone: timeZone,
        noOverlap: true,
        logger: bridge,
      });
      log.info({ cron: expression, timeZone, next: task.getNextRun()?.toISOString() }, 'schedule started');
      return {
        stop() {
          void Promise.resolve(task.destroy()).catch((error: unknown) =>
            log.warn({ err: error }, 'could not stop a schedule'),
          );
        },
      };
    },
  };
}
