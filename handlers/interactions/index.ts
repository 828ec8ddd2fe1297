import type { App } from '@slack/bolt';
import type { CoreDeps } from '../../src/deps.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { interactionGate } from './interaction-gate.js';
import { linkOpen } from './link-open.js';

/** Must be registered before any listener: the gate is global middleware and runs in registration order. */
export function register(app: App, deps: CoreDeps): void {
  app.use(interactionGate(deps));
  app.action(ACTION_IDS.openLink, linkOpen());
}
