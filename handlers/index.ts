import type { App } from '@slack/bolt';
import type { CoreDeps } from '../src/deps.js';
import type { AfterAckQueue } from './after-ack-queue.js';
import type { PostToResponseUrl } from './commands/command-context.js';
import { register as registerActions } from './actions/index.js';
import { register as registerCommands } from './commands/index.js';
import { register as registerEvents } from './events/index.js';
import { interactionGate, register as registerInteractions } from './interactions/index.js';
import { ListenerRouter } from './listener-router.js';
import { register as registerViews } from './views/index.js';

/**
 * Every Slack listener Sherpa has, behind the interaction gate (global middleware, so that unknown or malformed
 * interactions never reach a listener), routed by key (`listener-router.ts`: Bolt's own per-listener chains
 * cost most of an ack above a bare Bolt app, issue 14).
 * Add a folder (`actions/`, `views/`) with its own `register(router, deps)` and call it here.
 */
export interface HandlerWiring {
  /** Where listeners put the work that follows their ack (the app's waits for pending acks). */
  afterAck?: AfterAckQueue;
  /** How commands answer through their response_url (the Slack adapter's client); default Bolt's `respond`. */
  postToResponseUrl?: PostToResponseUrl;
}

export function registerHandlers(app: App, deps: CoreDeps, wiring: HandlerWiring = {}): void {
  const router = new ListenerRouter();
  registerInteractions(router, deps);
  registerActions(router, deps);
  registerViews(router, deps);
  registerCommands(router, deps, wiring.afterAck, wiring.postToResponseUrl);
  registerEvents(router, deps);
  app.use(interactionGate(deps, wiring.afterAck));
  router.listen(app);
}
