import type { App } from '@slack/bolt';
import type { CoreDeps } from '../../src/deps.js';
import { AfterAckQueue } from '../../src/slack/after-ack-queue.js';
import { paperCommand } from './paper-command.js';
import { scrapeCommand } from './scrape-command.js';

/** Slash commands. Each subcommand is its own file; replace one file to give a subcommand its real work. */
export function register(app: App, deps: CoreDeps): void {
  // One queue for both commands: follow-up work of either waits behind the acks of both.
  const afterAck = new AfterAckQueue();
  app.command('/paper', paperCommand(deps, afterAck));
  app.command('/scrape', scrapeCommand(deps, afterAck));
}
