import type { CoreDeps } from '../../src/deps.js';
import type { ListenerRouter } from '../listener-router.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { linkOpen } from './link-open.js';

export { interactionGate } from './interaction-gate.js';

/** Interactions that need only their ack. The gate (`interactionGate`) is installed by `registerHandlers`. */
export function register(app: ListenerRouter, _deps: CoreDeps): void {
  app.action(ACTION_IDS.openLink, linkOpen());
}
