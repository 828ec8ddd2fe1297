import cron from 'node-cron';

/**
 * True when node-cron accepts the expression: the configuration (DIGEST_SCHEDULE) and the scheduled scrapes
 * check their cron expressions with the same parser the Scheduler adapter (`src/adapters/node-cron/`) runs them
 * with, so an expression that passes here is one the adapter can schedule.
 */
export function isValidCron(expression: string): boolean {
  return cron.validate(expression);
}
