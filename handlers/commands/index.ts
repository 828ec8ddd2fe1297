import type { CoreDeps } from '../../src/deps.js';
import type { ListenerRouter } from '../listener-router.js';
import { AfterAckQueue } from '../after-ack-queue.js';
import type { PostToResponseUrl } from './command-context.js';
import { paperCommand } from './paper-command.js';
import { scrapeCommand } from './scrape-command.js';

/** Slash commands. Each subcommand is its own file; replace one file to give a subcommand its real work. */
export function register(
  app: ListenerRouter,
  deps: CoreDeps,
  afterAck = new AfterAckQueue(),
  postToResponseUrl?: PostToResponseUrl,
): void {
  // One queue for both commands (the app's, which waits for pending acks): answers wait behind acks.
  app.command('/paper', paperCommand(deps, afterAck, postToResponseUrl));
  app.command('/scrape', scrapeCommand(deps, afterAck, postToResponseUrl));
}
