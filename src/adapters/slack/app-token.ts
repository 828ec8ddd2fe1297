import { webApi } from '@slack/bolt';
import { toChatError } from './web-api-error.js';

/**
 * `apps.connections.open` with the app-level token: what Socket Mode calls first. It only hands out a WebSocket
 * URL (nothing connects), and fails with a ChatError when the token is wrong or lacks `connections:write`.
 */
export async function openSocketModeUrl(appToken: string, slackApiUrl: string | undefined): Promise<void> {
  const client = new webApi.WebClient(appToken, {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    retryConfig: { retries: 0 },
  });
  try {
    await client.apps.connections.open();
  } catch (error) {
    throw toChatError(error, 'apps.connections.open');
  }
}
