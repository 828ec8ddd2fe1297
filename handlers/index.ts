import type { App } from '@slack/bolt';
import type { CoreDeps } from '../src/deps.js';
import type { AfterAckQueue } from './after-ack-queue.js';
import { register as registerActions } from './actions/index.js';
import { register as registerCommands } from './commands/index.js';
import { register as registerEvents } from './events/index.js';
import { register as registerInteractions } from './interactions/index.js';
import { register as registerViews } from './views/index.js';

/**
 * Every Slack listener Sherpa has. Order matters only for the interaction gate (global middleware), which
 * must come first so that unknown or malformed interactions never reach a listener.
 * Add a folder (`actions/`, `views/`) with its own `register(app, deps)` and call it here.
 */
export function registerHandlers(app: App, deps: CoreDeps, afterAck?: AfterAckQueue): void {
  registerInteractions(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerCommands(app, deps, afterAck);
  registerEvents(app, deps);
}
