import type { CoreDeps } from '../../src/deps.js';
import type { ListenerRouter } from '../listener-router.js';
import { appHomeOpened } from './app-home-opened.js';
import { appMention } from './app-mention.js';

/** Bot events from manifest.yml: `app_home_opened` and `app_mention`. */
export function register(app: ListenerRouter, deps: CoreDeps): void {
  app.event('app_home_opened', appHomeOpened(deps));
  app.event('app_mention', appMention(deps));
}
