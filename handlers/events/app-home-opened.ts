import type { SlackEventMiddlewareArgs } from '@slack/bolt';
import type { CoreDeps } from '../../src/deps.js';
import { gatherHome } from '../../src/home/gather-home.js';
import { homeView } from '../../src/messages/home-view.js';

/**
 * Publish the App Home tab whenever someone opens it (slack.md §5.7), so it is current on every open: what
 * waits for people, runs in flight, the latest threads, today's spend against the budget, queues and instances.
 * Events are acked by Bolt itself before this runs.
 */
export function appHomeOpened(deps: CoreDeps) {
  return async ({ event }: SlackEventMiddlewareArgs<'app_home_opened'>): Promise<void> => {
    if (event.tab !== 'home') return;
    const view = homeView(await gatherHome(deps));
    await deps.chat.publishHome(event.user, view);
  };
}
