import { openSocketModeUrl } from '../adapters/slack/index.js';
import { type DoctorCheck, failed, passed } from './check.js';
import { chatFailure } from './chat-failure.js';

const CHECK = 'slack app token';

/**
 * `apps.connections.open` with the app-level token: what Socket Mode calls first. It only hands out a WebSocket
 * URL (nothing connects), and fails when the token is wrong or lacks `connections:write`.
 */
export function slackAppTokenCheck(appToken: string, slackApiUrl: string | undefined): DoctorCheck {
  return {
    name: CHECK,
    async run() {
      try {
        await openSocketModeUrl(appToken, slackApiUrl);
        return [passed(CHECK, 'SLACK_APP_TOKEN', 'Socket Mode connections can be opened')];
      } catch (error) {
        return [
          failed(
            CHECK,
            'SLACK_APP_TOKEN',
            `apps.connections.open failed: ${chatFailure(error)}`,
            'Create an app-level token (xapp-…) with the connections:write scope under Basic Information → App-Level Tokens, and enable Socket Mode',
          ),
        ];
      }
    },
  };
}
